// Dispatches the events of a batch at an EventSource, one at a time, in
// stream order (SSE-51).

import { dispatch, promiseThen, settled } from "./realm.js";
import { messageEvent } from "./events.js";
import { postTask } from "./tasks.js";

// Dispatcher belongs to one EventSource. By default the next event of a
// batch goes out from a microtask queued after the previous dispatchEvent
// returned, so the microtasks a listener queued run first, as with native
// dispatch, but not the microtasks those queue in turn: a listener that
// awaits a chain of promises sees the next events early. With the dispatch
// option "task" each event goes out in a task of its own, as native's does,
// at the cost of a message per event.
export class Dispatcher {
  #target;
  #isOpen; // () => whether events may still go out (SSE-51: none once CLOSED)
  #tasks; // one task per event
  #batch = null;
  #proto = null; // the events' prototype, for their origin (SSE-25)
  #drained = null;

  constructor(target, isOpen, tasks = false) {
    this.#target = target;
    this.#isOpen = isOpen;
    this.#tasks = tasks;
  }

  // run dispatches the batch's events and resolves when they are out or
  // dropped.
  run(batch, proto) {
    this.#batch = batch;
    this.#proto = proto;
    const drained = new Promise((resolve) => {
      this.#drained = resolve;
    });
    if (this.#tasks) postTask(this.#pump);
    else this.#pump();
    return drained;
  }

  #pump = () => {
    const batch = this.#batch;
    if (batch === null) return;
    if (this.#isOpen() && batch.next()) {
      // SSE-49: type ("" means message), data, origin, lastEventId.
      dispatch.call(this.#target, messageEvent(batch.type || "message", batch.data, this.#proto, batch.lastEventId));
      if (this.#batch !== batch) return;
      if (this.#tasks) postTask(this.#pump);
      else promiseThen.call(settled, this.#pump);
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
