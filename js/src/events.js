// The events an EventSource fires: faithful MessageEvents of this realm
// (SSE-49) for the stream, plain Events for open and error.

import { EventCtor, MessageEventCtor, realGlobal, setPrototypeOf } from "./realm.js";

// SSE-49: a real MessageEvent of this realm; not bubbling, not cancelable,
// source null, ports empty. Creating events is most of the polyfill's cost
// per event, so it takes the fastest faithful path Chromium offers (measured
// in Chromium 156, per event created and initialised):
// - document.createEvent("MessageEvent"), about 0.4 µs, where there is a
//   document; the constructor takes about 1 µs;
// - the legacy initMessageEvent, whose positional arguments convert faster
//   than a MessageEventInit dictionary;
// - no origin argument: converting that USVString costs about 1 µs, more
//   than all the rest. The origin comes from a getter on a prototype between
//   the event and MessageEvent.prototype instead, one per origin (see
//   eventPrototype), so `event.origin` reads the same.
// Where initMessageEvent is missing, the standard constructor does it all.
const doc = realGlobal.document;
const createEvent = doc && typeof realGlobal.Document === "function" ? realGlobal.Document.prototype.createEvent : null;
const initMessageEvent = MessageEventCtor && MessageEventCtor.prototype.initMessageEvent;
const messageInit = { data: "", origin: "", lastEventId: "" };

export function messageEvent(type, data, proto, lastEventId) {
  if (typeof initMessageEvent === "function") {
    const event = createEvent !== null ? createEvent.call(doc, "MessageEvent") : new MessageEventCtor(type);
    // Every argument costs: leave out those that are the defaults.
    if (lastEventId === "") initMessageEvent.call(event, type, false, false, data);
    else initMessageEvent.call(event, type, false, false, data, "", lastEventId);
    setPrototypeOf(event, proto);
    return event;
  }
  // The constructor copies the dictionary at once, so one object serves all.
  messageInit.data = data;
  messageInit.origin = proto.origin;
  messageInit.lastEventId = lastEventId;
  return new MessageEventCtor(type, messageInit);
}

// The prototype of the message events of one origin: MessageEvent.prototype
// with an `origin` getter in front, enumerable and configurable like the
// native one. instanceof, the constructor, the toStringTag and every other
// attribute are MessageEvent's own. The EventSources of one origin share it,
// so that listeners see one object shape; the cache holds the latest
// EVENT_PROTOTYPES origins, so a page that connects to many keeps no more.
const EVENT_PROTOTYPES = 16;
const eventPrototypes = new Map();

export function eventPrototype(origin) {
  let proto = eventPrototypes.get(origin);
  if (proto === undefined) {
    proto = Object.create(MessageEventCtor.prototype, {
      origin: Object.getOwnPropertyDescriptor({ get origin() { return origin; } }, "origin"),
    });
    if (eventPrototypes.size >= EVENT_PROTOTYPES) eventPrototypes.delete(eventPrototypes.keys().next().value);
    eventPrototypes.set(origin, proto);
  }
  return proto;
}

// `open` and `error` are plain Events: no bubbling, not cancelable.
export function plainEvent(type) {
  return new EventCtor(type);
}

// An error event says why, as an extension: a plain Event, as native's, with
// read-only, non-enumerable reason, status and message properties that code
// treating it as a plain Event never sees.
export function errorEvent(info) {
  const event = new EventCtor("error");
  Object.defineProperties(event, {
    reason: { value: info.reason },
    status: { value: info.status },
    message: { value: info.message },
  });
  return event;
}
