//go:build js && wasm

// Command wasm is the bridge between the EventSource shim in JavaScript and
// the engine in package polyfill, compiled to WebAssembly.
//
// The shim runs Go's glue with a private global scope, stores an empty object
// there as __eventsourceWasm, and starts this program, which fills the object
// with the functions of [bridge] and then waits forever. Nothing is added to
// the page's real global scope.
package main

import "github.com/hack-pad/safejs"

// hostName is the property of the (private) global scope through which the
// shim hands us the object to fill.
const hostName = "__eventsourceWasm"

func main() {
	global := safejs.Global()
	host, err := global.Get(hostName)
	if err != nil || host.IsUndefined() || host.IsNull() {
		println("eventsource-wasm: no " + hostName + " object to register the engine on")
		return
	}
	active = newBridge()
	if _, err := active.export(host); err != nil {
		println("eventsource-wasm: cannot register the engine: " + err.Error())
		return
	}
	select {} // keep serving calls from JS
}
