// The shared option, on the window's side: the EventSources of every
// same-origin window, tab or iframe that have the same URL and the same
// request options share one network connection, which a SharedWorker runs
// with the engine (hub.js). Each window talks to the worker through one
// MessagePort, its Client; each EventSource is a member of the worker's
// connection, a SharedConnection here, which reports through the callbacks
// of a Connection (connection.js), so that eventsource.js builds the events
// in this window's realm as for a connection of its own.
//
// Where SharedWorker is missing or the worker cannot start, every shared
// instance of the window runs a Connection of its own instead, silently.
//
// The messages between the two are listed in hub.js.

import { Batch } from "./codec.js";
import { CLOSED, CONNECTING, Connection, OPEN } from "./connection.js";
import { config } from "./engine.js";
import { details, failure } from "./errors.js";
import { readOptions } from "./options.js";
import { addListener, baseURL, promiseThen, realGlobal } from "./realm.js";

// The version of the messages above. It is in the worker's name, so that
// windows running another version of the polyfill get a worker of their own.
export const PROTOCOL = 1;

// Captured now: a page that deletes SharedWorker before this script runs
// gets connections of its own.
const SharedWorkerCtor = typeof realGlobal.SharedWorker === "function" ? realGlobal.SharedWorker : null;

// How long a worker may take to say hello before the window gives up on it.
const HELLO_TIMEOUT = 10000;

// How long a worker that pings may stay silent before it counts as lost:
// four heartbeats, and at least this long, so that a loaded machine does
// not look like a dead worker.
const LOST_FLOOR = 10000;

const DEFAULTS = readOptions(undefined);

// The reasons whose error a connection of its own logs to the console
// (errors.js); the worker logs to its own console, so the window repeats it.
const LOGGED = new Set(["status", "content-type", "line-too-long", "event-too-large", "memory-budget", "scheme", "url-too-long", "attempts", "engine"]);

export const sharing = {
  // EventSourcePolyfill.sharedWorkerURL; "" means next to the wasm.
  workerURL: "",
};

// sharedWorkerURL returns the URL of eventsource-shared-worker.js: the one
// set, else the file next to eventsource.wasm, which is next to the script.
export function sharedWorkerURL() {
  if (sharing.workerURL) return sharing.workerURL;
  try {
    return new URL("eventsource-shared-worker.js", new URL(config.wasmURL, baseURL())).href;
  } catch (_) {
    return "eventsource-shared-worker.js";
  }
}

function absolute(url) {
  try {
    return new URL(url, baseURL()).href;
  } catch (_) {
    return url;
  }
}

// shareOf returns the sharing key of an instance and what the worker needs
// to make its connection: the options that differ from the defaults, in a
// structured-clonable form. The key is the URL, the group name and those
// options (not signal, which closes its own instance), but for the initial
// lastEventId (the first instance's starts the
// connection; a later one joins the live stream) and for a headers
// function, which cannot cross: its source text is in the key instead, and
// the worker asks a window to call it (Client, "headers").
export function shareOf(url, o) {
  const options = {};
  let fn = "";
  for (const name of Object.keys(o)) {
    const v = o[name];
    // Options of this window alone: the signal, and (where there is one)
    // how events are dispatched.
    if (name === "fetch" || name === "signal" || name === "shared" || name === "dispatch" || v === DEFAULTS[name]) continue;
    if (name === "headers") {
      if (typeof v === "function") fn = Function.prototype.toString.call(v);
      else options.headers = [...v];
    } else if (name === "retryStatuses") options[name] = [...v];
    else if (name === "backoff") options[name] = { ...v };
    else options[name] = v;
  }
  const { lastEventId, ...keyed } = options;
  const key = JSON.stringify([url, o.shared === true ? "" : o.shared, keyed, fn]);
  return { key, init: { url, options, headersFunction: fn !== "" } };
}

// ---- the window's port to the worker --------------------------------------

// The Client of this realm: null before the first shared instance and after
// the worker was lost; broken when the worker could not start.
let client = null;
const BROKEN = { broken: true };
// How many workers this realm lost: a worker that was closed (not crashed)
// can keep its name while it winds down, and a new SharedWorker of that
// name then never answers, so the next worker gets a name of its own. The
// windows that lost the same worker name the same next one.
let lost = 0;

function getClient() {
  if (client !== null) return client.broken ? null : client;
  if (SharedWorkerCtor === null) {
    client = BROKEN;
    return null;
  }
  let worker;
  try {
    worker = new SharedWorkerCtor(sharedWorkerURL(), { name: `eventsource-wasm/${PROTOCOL}${lost ? `#${lost}` : ""}` });
  } catch (_) {
    client = BROKEN; // a cross-origin URL, a Content-Security-Policy, a privacy mode
    return null;
  }
  client = new Client(worker);
  return client;
}

const now = () => realGlobal.performance.now();

class Client {
  broken = false;
  #worker;
  #port;
  #ready = false; // the worker said hello
  #members = new Map(); // id → SharedConnection
  #nextId = 1;
  #calls = new Map(); // debug calls: call → resolve
  #nextCall = 1;
  #helloTimer = 0;
  #heartbeat = 0; // the worker's, from its hello
  #heard = 0; // when the worker was last heard from
  #watchdog = 0;
  #suspect = false;

  constructor(worker) {
    this.#worker = worker;
    this.#port = worker.port;
    addListener.call(worker, "error", this.#onWorkerError);
    addListener.call(this.#port, "message", this.#onMessage);
    this.#port.start();
    this.#helloTimer = realGlobal.setTimeout(() => this.#fail(), HELLO_TIMEOUT);
    hookPage();
  }

  get members() {
    return this.#members;
  }

  // join makes member a member of the connection of share.key; from is
  // where the member is: its last event ID and reconnection time, and
  // whether it joins again after it was left out (rejoin).
  join(member, share, from) {
    const id = this.#nextId++;
    this.#members.set(id, member);
    this.#post({
      t: "join", id, key: share.key, init: share.init, wasmURL: absolute(config.wasmURL), loadTimeout: config.loadTimeout,
      lastEventId: from.lastEventId, reconnectionTime: from.reconnectionTime, rejoin: from.rejoin,
    });
    this.#watch();
    return id;
  }

  leave(id) {
    if (this.#members.delete(id)) this.#post({ t: "leave", id });
  }

  bye() {
    if (this.#members.size === 0) return;
    this.#members.clear();
    this.#post({ t: "bye" });
  }

  debug(command) {
    return new Promise((resolve) => {
      const call = this.#nextCall++;
      const timer = realGlobal.setTimeout(() => {
        this.#calls.delete(call);
        resolve(null);
      }, 5000);
      this.#calls.set(call, (value) => {
        realGlobal.clearTimeout(timer);
        resolve(value);
      });
      this.#post({ t: "debug", call, command });
    });
  }

  #post(message) {
    try {
      this.#port.postMessage(message);
    } catch (err) {
      console.error("EventSource: cannot reach the shared worker:", err);
    }
  }

  #onWorkerError = () => {
    // A worker that failed to load (a 404, a syntax error, a blocked URL).
    if (!this.#ready) this.#fail();
  };

  #onMessage = (e) => {
    const m = e.data;
    this.#heard = now();
    this.#suspect = false;
    const members = this.#members;
    switch (m.t) {
      case "hello":
        if (m.v !== PROTOCOL) {
          this.#fail();
          return;
        }
        this.#ready = true;
        this.#heartbeat = m.heartbeat;
        realGlobal.clearTimeout(this.#helloTimer);
        this.#watch();
        return;
      case "open":
        for (const id of m.ids) {
          const member = members.get(id);
          if (member) member.opened(m);
        }
        return;
      case "events": {
        // One ack when every member of this window has dispatched its
        // events (or dropped them).
        let pending = 1;
        const done = () => {
          if (--pending === 0) this.#post({ t: "ack" });
        };
        for (const id of m.ids) {
          const member = members.get(id);
          const dispatched = member ? member.events(m) : undefined;
          if (dispatched) {
            pending++;
            promiseThen.call(dispatched, done, done);
          }
        }
        done();
        return;
      }
      case "error":
        if (LOGGED.has(m.info.reason)) console.error(m.info.message);
        for (const id of m.ids) {
          const member = members.get(id);
          if (!member) continue;
          if (m.state === CLOSED) members.delete(id);
          member.errored(m);
        }
        return;
      case "headers": {
        // A member that left meanwhile: the worker asks the next one when
        // it reads the leave.
        const member = members.get(m.id);
        if (member) {
          member.callHeaders(m.attempt).then(
            (value) => this.#post({ t: "headers", call: m.call, value }),
            (err) => this.#post({ t: "headers", call: m.call, error: String((err && err.message) || err) }),
          );
        }
        return;
      }
      case "ping":
        this.#post({ t: "pong" });
        return;
      case "dropped":
        for (const id of m.ids) {
          const member = members.get(id);
          if (!member) continue;
          members.delete(id);
          member.rejoin();
        }
        return;
      case "debug": {
        const resolve = this.#calls.get(m.call);
        this.#calls.delete(m.call);
        if (resolve) resolve(m.value);
        return;
      }
    }
  };

  // #watch checks, while the window has members, that the worker still
  // pings: one that fell silent for two heartbeats is asked for a pong, and
  // one silent for four, and LOST_FLOOR ms, is lost (a crash, or the
  // browser ended it).
  #watch() {
    if (this.#watchdog || !this.#ready || this.#members.size === 0) return;
    this.#heard = now();
    const period = 2 * this.#heartbeat;
    const lost = Math.max(2 * period, LOST_FLOOR);
    this.#watchdog = realGlobal.setInterval(() => {
      if (this.#members.size === 0) {
        realGlobal.clearInterval(this.#watchdog);
        this.#watchdog = 0;
        return;
      }
      const silent = now() - this.#heard;
      if (silent < period) return;
      if (!this.#suspect) {
        this.#suspect = true;
        this.#post({ t: "ping" }); // answered with a pong, which counts
        return;
      }
      if (silent >= lost) this.#lose();
    }, period);
  }

  #stop() {
    realGlobal.clearTimeout(this.#helloTimer);
    if (this.#watchdog) realGlobal.clearInterval(this.#watchdog);
    this.#watchdog = 0;
    try {
      this.#port.close();
    } catch (_) {
      // Nothing to close.
    }
  }

  // #fail gives up on a worker that did not start: this window's shared
  // instances, now and later, run connections of their own.
  #fail() {
    if (this.broken) return;
    this.broken = true;
    this.#stop();
    const members = [...this.#members.values()];
    this.#members.clear();
    for (const member of members) member.fallback();
  }

  // #lose gives up on a worker that stopped answering: the members
  // reconnect, the standard way, through a new one.
  #lose() {
    if (client === this) {
      client = null;
      lost++;
    }
    this.#stop();
    const members = [...this.#members.values()];
    this.#members.clear();
    for (const member of members) member.rejoin();
  }
}

// The page's life: a window that goes away says so, so that its members
// leave at once (the worker's heartbeat is for crashes); a frozen window
// leaves and joins again when it resumes, as a page in the back/forward
// cache does (lifecycle.js, SSE-54).
let hooked = false;

function hookPage() {
  if (hooked) return;
  hooked = true;
  if (typeof realGlobal.PageTransitionEvent === "function") {
    addListener.call(realGlobal, "pagehide", (event) => {
      if (!event.persisted && client !== null && !client.broken) client.bye();
    });
  }
  const doc = realGlobal.document;
  if (doc) {
    addListener.call(doc, "freeze", () => {
      if (client !== null && !client.broken) for (const member of [...client.members.values()]) member.suspend();
    });
    addListener.call(doc, "resume", () => {
      for (const member of frozen) member.resume();
    });
  }
}

// The members suspended by a freeze, for the resume.
const frozen = new Set();

// sharedDebug resolves to what the worker reports (hub.js), or to null
// without a worker.
export function sharedDebug(command) {
  const c = client !== null && !client.broken ? client : null;
  return c ? c.debug(command) : Promise.resolve(null);
}

// ---- one member -------------------------------------------------------------

const NETWORK = failure("network");

// SharedConnection has the interface of a Connection (connection.js): it
// joins the worker's connection from a zero-delay task (SSE-17), reports
// what the worker sends through the same callbacks, and leaves on close()
// (SSE-53), which detaches this instance only.
export class SharedConnection {
  #url;
  #options;
  #callbacks;
  #share;
  #state = CONNECTING;
  #client = null;
  #id = 0;
  #joined = false; // it joined once: a resume reestablishes
  #own = null; // the Connection of its own, once fallen back
  #timer = 0;
  #suspended = false;
  // Nothing for lifecycle.js's release() to do: the worker holds it all.
  #res = { engine: null, handle: 0, ctrl: null, onLost: null, reader: null };
  #lastEventId;
  #reconnectionTime = 3000;

  constructor(url, options, callbacks) {
    this.#url = url;
    this.#options = options;
    this.#callbacks = callbacks;
    this.#lastEventId = options.lastEventId;
    this.#share = shareOf(url, options);
  }

  get state() {
    return this.#own ? this.#own.state : this.#state;
  }

  get resources() {
    return this.#res;
  }

  get lastEventId() {
    return this.#own ? this.#own.lastEventId : this.#lastEventId;
  }

  get reconnectionTime() {
    return this.#own ? this.#own.reconnectionTime : this.#reconnectionTime;
  }

  #joinLater = () => {
    this.#timer = 0;
    this.#join();
  };

  start() {
    this.#timer = realGlobal.setTimeout(this.#joinLater, 0);
  }

  #join() {
    if (this.#state === CLOSED || this.#own || this.#suspended) return;
    const c = getClient();
    if (c === null) {
      this.fallback();
      return;
    }
    this.#client = c;
    this.#id = c.join(this, this.#share, { lastEventId: this.#lastEventId, reconnectionTime: this.#reconnectionTime, rejoin: this.#joined });
    this.#joined = true;
  }

  #leave() {
    if (this.#id) this.#client.leave(this.#id);
    this.#id = 0;
    this.#client = null;
  }

  close() {
    if (this.#own) {
      this.#own.close();
      this.#state = CLOSED;
      return;
    }
    if (this.#state === CLOSED) return;
    this.#state = CLOSED;
    if (this.#timer) {
      realGlobal.clearTimeout(this.#timer);
      this.#timer = 0;
    }
    frozen.delete(this);
    this.#leave();
  }

  // The stream belongs to every member: one cannot discard its unfinished
  // event for the others.
  reset() {
    if (this.#own) this.#own.reset();
  }

  suspend() {
    if (this.#own) {
      this.#own.suspend();
      return;
    }
    if (this.#state === CLOSED || this.#suspended) return;
    this.#suspended = true;
    frozen.add(this);
    if (this.#timer) {
      realGlobal.clearTimeout(this.#timer);
      this.#timer = 0;
    }
    this.#callbacks.onSuspend();
    this.#leave();
  }

  resume() {
    if (this.#own) {
      this.#own.resume();
      return;
    }
    frozen.delete(this);
    if (!this.#suspended || this.#state === CLOSED) return;
    this.#suspended = false;
    if (this.#joined) this.rejoin();
    else this.start();
  }

  // ---- what the worker reports ----------------------------------------------

  #note(m) {
    this.#lastEventId = m.lastEventId;
    this.#reconnectionTime = m.reconnectionTime;
  }

  opened(m) {
    if (this.#state === CLOSED) return;
    this.#note(m);
    this.#state = OPEN; // SSE-24
    this.#callbacks.onOpen(m.origin);
  }

  events(m) {
    if (this.#state !== OPEN) return undefined;
    this.#note(m);
    return this.#callbacks.onEvents(new Batch(m.result));
  }

  errored(m) {
    if (this.#state === CLOSED) return;
    this.#note(m);
    if (m.state === CLOSED) {
      this.#state = CLOSED; // SSE-23; the worker has forgotten this member
      this.#id = 0;
      this.#client = null;
    } else this.#state = CONNECTING; // SSE-28
    this.#callbacks.onError(m.state, m.info);
  }

  // rejoin reestablishes through the worker (or a new one) after this
  // member was left out of the stream: CONNECTING and error, then a join,
  // which gets open when the connection is (SSE-28).
  rejoin() {
    this.#id = 0;
    this.#client = null;
    if (this.#state === CLOSED) return;
    this.#state = CONNECTING;
    this.#callbacks.onError(CONNECTING, details(NETWORK, { url: this.#url }));
    this.#join();
  }

  // fallback runs a connection of its own, from where this one is.
  fallback() {
    this.#id = 0;
    this.#client = null;
    if (this.#state === CLOSED || this.#own) return;
    const own = new Connection(this.#url, this.#options, this.#callbacks);
    own.lastEventId = this.#lastEventId;
    own.reconnectionTime = this.#reconnectionTime;
    this.#own = own;
    own.start();
  }

  // callHeaders runs the headers function for an attempt of the worker's
  // connection and returns the headers as name/value pairs, or null.
  async callHeaders(attempt) {
    try {
      const value = await this.#options.headers(attempt);
      return value === undefined || value === null ? null : [...new Headers(value)];
    } catch (err) {
      console.error(`EventSource cannot request ${attempt.url}:`, err);
      throw err;
    }
  }
}
