// Dispatches the events of a batch at an EventSource, one at a time, in
// stream order (SSE-51).

import { dispatch, promiseThen, settled } from "./realm.js";
import { messageEvent } from "./events.js";

// Dispatcher belongs to one EventSource. The next event of a batch goes out
// from a microtask queued after the previous dispatchEvent returned, so the
// microtasks a listener queued run first, as with native dispatch.
export class Dispatcher {
  #target;
  #isOpen; // () => whether events may still go out (SSE-51: none once CLOSED)
  #batch = null;
  #proto = null; // the events' prototype, for their origin (SSE-25)
  #drained = null;

  constructor(target, isOpen) {
    this.#target = target;
    this.#isOpen = isOpen;
  }

  // run dispatches the batch's events and resolves when they are out or
  // dropped.
  run(batch, proto) {
    this.#batch = batch;
    this.#proto = proto;
    const drained = new Promise((resolve) => {
      this.#drained = resolve;
    });
    this.#pump();
    return drained;
  }

  #pump = () => {
    const batch = this.#batch;
    if (batch === null) return;
    if (this.#isOpen() && batch.next()) {
      // SSE-49: type ("" means message), data, origin, lastEventId.
      dispatch.call(this.#target, messageEvent(batch.type || "message", batch.data, this.#proto, batch.lastEventId));
      if (this.#batch === batch) promiseThen.call(settled, this.#pump);
      return;
    }
    this.stop();
  };

  // stop drops the rest of the batch.
  stop() {
    const drained = this.#drained;
    this.#batch = null;
    this.#drained = null;
    if (drained) drained();
  }
}
