// The shared option, on the worker's side: the Hub of
// eventsource-shared-worker.js runs one Connection (connection.js) for each
// sharing key and forwards what it reports to the windows whose instances
// are its members, one message per window and batch of events. The
// messages, window → worker:
//   {t: "join", id, key, init, wasmURL, loadTimeout, lastEventId,
//       reconnectionTime, rejoin}   an instance joins the connection of key
//       (created from init, lastEventId and reconnectionTime when there is
//       none); rejoin: it was a member before and left out (see RECENT)
//   {t: "leave", id}        it closed (or was suspended)
//   {t: "ack"}              the events of one "events" message are out
//   {t: "headers", call, value | error}   what the headers function returned
//   {t: "pong"}             the answer to a ping (either way)
//   {t: "ping"}             a window that has not heard from the worker
//   {t: "bye"}              the window goes away: every member leaves
//   {t: "debug", call, command}
// worker → window (ids: the members of this window that a message is for):
//   {t: "hello", v, heartbeat}   first, on connecting
//   {t: "open", ids, origin, lastEventId, reconnectionTime}
//   {t: "events", ids, result, lastEventId, reconnectionTime}   one feed
//       result of the engine (codec.js), for each window to make a Batch of
//   {t: "error", ids, state, info, lastEventId, reconnectionTime}
//   {t: "headers", call, id, attempt}   call the headers function of member id
//   {t: "ping"}             sent every heartbeat while the window has members
//                           (a window that misses them pings too)
//   {t: "dropped", ids}     the worker gave these up (no pong for too long)
//   {t: "debug", call, value}

import { CLOSED, CONNECTING, Connection, OPEN } from "./connection.js";
import { config, debug as engineDebug } from "./engine.js";
import { details, failure } from "./errors.js";
import { readOptions } from "./options.js";
import { noop, realGlobal } from "./realm.js";

export const PROTOCOL = 1; // sharing.js's

// How many "events" messages a window may have left unacknowledged before
// the connection waits for it to catch up: the stream is held back for
// everyone by a window that falls behind (or stops answering, until the
// heartbeat drops it), as it would be by a slow handler of its own.
export const WINDOW = 8;

// The default heartbeat, in ms: every window with members is pinged this
// often, and one that answers nothing for DROP_AFTER heartbeats, and at
// least DROP_FLOOR ms, is dropped (a crashed tab sends no pagehide; the
// floor spares a window that is only busy, or a loaded machine).
export const HEARTBEAT = 2000;
const DROP_AFTER = 3;
const DROP_FLOOR = 5000;

// The batches a group keeps, at most RECENT of them and RECENT_CHARS
// characters, so that a member that joins again (after its window was
// dropped, frozen or cached, or its worker was lost) gets the events that
// went out in between, when its last event ID is that of one of them. A
// new member gets the events from when it joins; so does one whose ID is
// not there (a stream without IDs, or one that went on too far).
const RECENT = 32;
const RECENT_CHARS = 256 << 10;

const now = () => realGlobal.performance.now();

// A Group is one shared connection and its members, oldest first.
class Group {
  key;
  conn = null;
  state = CONNECTING;
  origin = "";
  members = [];
  #byPort = null; // Map port → ids of its members, rebuilt after a change
  call = null; // the headers call in progress
  recent = []; // the last batches: {result, lastEventId, reconnectionTime, chars}
  recentChars = 0;
  base = ""; // the last event ID before recent[0]

  constructor(key) {
    this.key = key;
  }

  byPort() {
    if (this.#byPort === null) {
      const m = new Map();
      for (const member of this.members) {
        const ids = m.get(member.port);
        if (ids) ids.push(member.id);
        else m.set(member.port, [member.id]);
      }
      this.#byPort = m;
    }
    return this.#byPort;
  }

  changed() {
    this.#byPort = null;
  }
}

// A Port is one window's MessagePort.
class Port {
  port;
  members = new Map(); // id → {port, id, group}
  heard = now();
  inflight = 0; // "events" messages not acknowledged yet
  waiters = []; // resolved when inflight is back within WINDOW

  constructor(port) {
    this.port = port;
  }

  post(message) {
    try {
      this.port.postMessage(message);
    } catch (_) {
      // A closed port: its members go with the heartbeat.
    }
  }

  wake() {
    const w = this.waiters;
    if (w.length === 0) return;
    this.waiters = [];
    for (const resolve of w) resolve();
  }
}

export class Hub {
  #groups = new Map(); // key → Group
  #ports = new Set();
  #heartbeat;
  #timer = 0;
  #calls = new Map(); // headers calls: number → call
  #nextCall = 1;

  constructor({ heartbeat = HEARTBEAT } = {}) {
    this.#heartbeat = heartbeat;
  }

  // connect takes the port of a window that connected.
  connect(port) {
    const p = new Port(port);
    this.#ports.add(p);
    port.onmessage = (e) => this.#receive(p, e.data);
    p.post({ t: "hello", v: PROTOCOL, heartbeat: this.#heartbeat });
    return p;
  }

  #receive(p, m) {
    p.heard = now();
    this.#ports.add(p); // back after being dropped
    if (m === null || typeof m !== "object") return;
    switch (m.t) {
      case "join":
        this.#join(p, m);
        return;
      case "leave":
        this.#leave(p, m.id);
        return;
      case "ack":
        if (p.inflight > 0) p.inflight--;
        if (p.inflight <= WINDOW) p.wake();
        return;
      case "headers":
        this.#answered(m);
        return;
      case "ping":
        p.post({ t: "pong" });
        return;
      case "bye":
        this.#drop(p, false);
        return;
      case "debug":
        this.debug(m.command).then((value) => p.post({ t: "debug", call: m.call, value }));
        return;
    }
  }

  #join(p, m) {
    let g = this.#groups.get(m.key);
    if (g === undefined) {
      try {
        g = this.#group(m);
      } catch (err) {
        // Options that the window accepted and this worker does not: a
        // window of another build. Its instance fails as a bad request.
        console.error("EventSource (shared worker): cannot make the connection:", err);
        p.post({ t: "error", ids: [m.id], state: CLOSED, info: details(failure("request"), { url: m.init.url }), lastEventId: "", reconnectionTime: 3000 });
        return;
      }
    }
    const member = { port: p, id: m.id, group: g, replay: "" };
    const resume = m.rejoin === true && typeof m.lastEventId === "string" ? m.lastEventId : "";
    p.members.set(m.id, member);
    g.members.push(member);
    g.changed();
    // A member that joins a live connection gets open now, and the events
    // from then on.
    if (g.state === OPEN) {
      p.post({ t: "open", ids: [m.id], origin: g.origin, lastEventId: g.conn.lastEventId, reconnectionTime: g.conn.reconnectionTime });
      if (resume !== "") this.#replay(g, p, m.id, resume);
    } else member.replay = resume; // after the open

    this.#arm();
  }

  // #replay sends a member that joins again the batches after the one that
  // ended with its last event ID, if the group still has it.
  #replay(g, p, id, lastEventId) {
    const recent = g.recent;
    let i = recent.length - 1;
    while (i >= 0 && recent[i].lastEventId !== lastEventId) i--;
    if (i < 0 && g.base !== lastEventId) return;
    for (const b of recent.slice(i + 1)) {
      p.post({ t: "events", ids: [id], result: b.result, lastEventId: b.lastEventId, reconnectionTime: b.reconnectionTime });
      p.inflight++;
    }
  }

  #group(m) {
    // The engine loads once, from the first URL a window asks for.
    if (typeof m.wasmURL === "string" && m.wasmURL) config.wasmURL = m.wasmURL;
    if (typeof m.loadTimeout === "number" && m.loadTimeout > 0) config.loadTimeout = m.loadTimeout;
    const g = new Group(m.key);
    const dict = { ...m.init.options };
    // A connection made for a member that was in one before resumes
    // after its last event ID.
    if (typeof m.lastEventId === "string") dict.lastEventId = m.lastEventId;
    if (m.init.headersFunction) dict.headers = (attempt) => this.#headers(g, attempt);
    const options = readOptions(dict);
    const broadcast = (message) => {
      for (const [p, ids] of g.byPort()) {
        message.ids = ids;
        p.post(message);
      }
    };
    g.conn = new Connection(m.init.url, options, {
      onOpen: (origin) => {
        g.state = OPEN;
        g.origin = origin;
        broadcast({ t: "open", ids: null, origin, lastEventId: g.conn.lastEventId, reconnectionTime: g.conn.reconnectionTime });
        for (const member of g.members) {
          if (member.replay === "") continue;
          this.#replay(g, member.port, member.id, member.replay);
          member.replay = "";
        }
      },
      onEvents: (batch) => this.#events(g, batch),
      onError: (state, info) => {
        g.state = state;
        broadcast({ t: "error", ids: null, state, info, lastEventId: g.conn.lastEventId, reconnectionTime: g.conn.reconnectionTime });
        if (state === CLOSED) this.#end(g);
      },
      onSuspend: noop,
    });
    g.base = g.conn.lastEventId;
    if (typeof m.reconnectionTime === "number" && m.reconnectionTime !== g.conn.reconnectionTime) g.conn.reconnectionTime = m.reconnectionTime;
    this.#groups.set(m.key, g);
    g.conn.start();
    return g;
  }

  // #events forwards one batch: the engine's feed result, whole, to each
  // window of the group. It returns a promise when a window is more than
  // WINDOW batches behind, which the connection awaits before reading on.
  #events(g, batch) {
    const result = batch.raw;
    const message = { t: "events", ids: null, result, lastEventId: g.conn.lastEventId, reconnectionTime: g.conn.reconnectionTime };
    let chars = 0;
    if (typeof result === "string") chars = result.length;
    else for (let i = 1; i < result.length; i++) chars += result[i].length;
    const recent = g.recent;
    recent.push({ result, lastEventId: message.lastEventId, reconnectionTime: message.reconnectionTime, chars });
    g.recentChars += chars;
    while (recent.length > RECENT || (g.recentChars > RECENT_CHARS && recent.length > 1)) {
      const gone = recent.shift();
      g.recentChars -= gone.chars;
      g.base = gone.lastEventId;
    }
    let behind = null;
    for (const [p, ids] of g.byPort()) {
      message.ids = ids;
      p.post(message);
      if (++p.inflight > WINDOW) (behind || (behind = [])).push(p);
    }
    if (behind === null) return undefined;
    return Promise.all(behind.map((p) => new Promise((resolve) => p.waiters.push(resolve))));
  }

  #leave(p, id) {
    const member = p.members.get(id);
    if (!member) return;
    p.members.delete(id);
    p.wake(); // the group need not wait for this window any more
    const g = member.group;
    const i = g.members.indexOf(member);
    if (i >= 0) g.members.splice(i, 1);
    g.changed();
    if (g.members.length === 0) {
      // The last member left: the connection closes (SSE-53).
      g.conn.close();
      this.#end(g);
      return;
    }
    if (g.call !== null && g.call.member === member) this.#ask(g.call);
  }

  // #end forgets a group whose connection is closed: a later join with its
  // key makes a new one.
  #end(g) {
    if (this.#groups.get(g.key) === g) this.#groups.delete(g.key);
    for (const member of g.members) member.port.members.delete(member.id);
    g.members = [];
    g.changed();
    if (g.call !== null) this.#calls.delete(g.call.n);
    g.call = null;
  }

  // #drop removes every member of a window: one that said bye, or one that
  // answered nothing for too long, which is told so that its members join
  // again if it ever wakes up.
  #drop(p, tell) {
    const ids = [...p.members.keys()];
    for (const id of ids) this.#leave(p, id);
    p.inflight = 0;
    p.wake();
    // Forgotten until it speaks again (#receive).
    this.#ports.delete(p);
    if (tell) {
      if (ids.length) p.post({ t: "dropped", ids });
    } else {
      try {
        p.port.close();
      } catch (_) {
        // Closed already.
      }
    }
  }

  // ---- the headers function of the oldest member ----------------------------

  // #headers is the headers option of a connection whose members have a
  // headers function: the window of the oldest member calls its own, for
  // every attempt; if that window goes, the next oldest is asked.
  #headers(g, attempt) {
    return new Promise((resolve, reject) => {
      const call = { n: this.#nextCall++, group: g, attempt, member: null, resolve, reject };
      g.call = call;
      this.#calls.set(call.n, call);
      this.#ask(call);
    });
  }

  #ask(call) {
    const leader = call.group.members[0];
    call.member = leader || null;
    if (leader) leader.port.post({ t: "headers", call: call.n, id: leader.id, attempt: call.attempt });
    // Without members the connection is closing anyway.
  }

  #answered(m) {
    const call = this.#calls.get(m.call);
    if (!call) return;
    this.#calls.delete(m.call);
    if (call.group.call === call) call.group.call = null;
    if (typeof m.error === "string") call.reject(new Error(m.error));
    else call.resolve(m.value);
  }

  // ---- the heartbeat ----------------------------------------------------------

  #arm() {
    if (this.#timer) return;
    this.#timer = realGlobal.setInterval(() => this.#beat(), this.#heartbeat);
  }

  #beat() {
    const t = now();
    let any = false;
    for (const p of this.#ports) {
      if (p.members.size === 0) continue;
      if (t - p.heard > Math.max(DROP_AFTER * this.#heartbeat, DROP_FLOOR)) {
        this.#drop(p, true);
        continue;
      }
      any = true;
      p.post({ t: "ping" });
    }
    if (!any) {
      realGlobal.clearInterval(this.#timer);
      this.#timer = 0;
    }
  }

  // ---- the test hook ----------------------------------------------------------

  // debug resolves to the worker's engine counters (engine.js debug, without
  // the WeakRef, which cannot be posted) and its own: groups, members,
  // windows with members, headers calls in progress and the size of the
  // engine's memory.
  async debug(command) {
    const d = await engineDebug(command);
    let members = 0;
    let windows = 0;
    for (const p of this.#ports) {
      members += p.members.size;
      if (p.members.size) windows++;
    }
    const out = { groups: this.#groups.size, members, windows, ports: this.#ports.size, calls: this.#calls.size, engine: null };
    if (d !== null) {
      const { memory, ...counters } = d;
      const mem = memory && memory.deref();
      out.engine = { ...counters, memoryBytes: mem ? mem.buffer.byteLength : 0 };
    }
    return out;
  }
}
