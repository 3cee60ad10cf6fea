// recordEventSource(spec) records what one EventSource does and resolves to
// a JSON-able log. The differential suite runs it twice on the same page, once
// per constructor, and compares the logs; workers load it with importScripts.
//
// spec: {ctor, args, types, stop: {messages, errors, opens}, grace, timeout,
//        microtasks, throwOn, stopWindowOn, stopWindowAfter, closeNow,
//        brief, work, expose, closeIn}
// A stop condition closes the source from inside the handler that met it, as
// an application would; an error event seen in CLOSED always stops. Events
// after close() are still recorded, flagged late, for `grace` ms.
//
// For the reliability tests: brief keeps only the first 64 characters of
// data (and its length as len), so that long streams stay small; work is a
// busy wait in ms in every message listener, a slow handler; expose names a
// global that gets {log, counts, finish} while recording, so that a test can
// follow the progress and stop it; closeIn: {via, type, on} closes the source
// from the on-th call (default 1) of the handler attribute via ('onopen',
// 'onmessage', 'onerror') or, with via 'listener', of an event listener for
// type.
(function (g) {
  'use strict';

  g.recordEventSource = function (spec) {
    return new Promise((resolve) => {
      const t0 = performance.now();
      const log = {events: [], timedOut: false};
      const Ctor = g[spec.ctor];
      if (typeof Ctor !== 'function') {
        log.threw = 'no constructor ' + spec.ctor;
        resolve(log);
        return;
      }
      let es;
      try {
        es = new Ctor(...spec.args);
      } catch (e) {
        log.threw = e.name;
        log.code = e.code || 0;
        resolve(log);
        return;
      }
      log.url = es.url;
      log.withCredentials = es.withCredentials;
      log.initial = es.readyState;

      const stop = spec.stop || {};
      const counts = {message: 0, open: 0, error: 0};
      let stopped = false;
      let timer = 0;
      const finish = (why) => {
        if (stopped) return;
        stopped = true;
        clearTimeout(timer);
        log.final = es.readyState;
        log.why = why;
        es.close();
        setTimeout(() => resolve(log), spec.grace || 0);
      };
      timer = setTimeout(() => {
        log.timedOut = true;
        finish('timeout');
      }, spec.timeout || 20000);

      const types = new Set(['open', 'message', 'error'].concat(spec.types || []));
      for (const type of types) {
        es.addEventListener(type, function (e) {
          const msg = e instanceof MessageEvent;
          const ev = {
            type: e.type, rs: es.readyState, msg,
            t: Math.round(performance.now() - t0),
            bubbles: e.bubbles, cancelable: e.cancelable,
            hasData: 'data' in e, target: e.currentTarget === es,
          };
          if (msg) {
            ev.data = e.data;
            if (spec.brief && e.data.length > 64) {
              // Never half a surrogate pair. Rebuilt, not sliced: V8 can
              // make a slice that keeps the whole data alive, and the log
              // would then hold every event of a long stream.
              const c = e.data.charCodeAt(63);
              ev.data = e.data.slice(0, c >= 0xd800 && c <= 0xdbff ? 63 : 64).split('').join('');
              ev.len = e.data.length;
            }
            ev.id = e.lastEventId;
            ev.origin = e.origin;
            // SSE-49: source null, ports empty.
            ev.odd = e.source !== null || !Array.isArray(e.ports) || e.ports.length !== 0;
          }
          if (stopped) ev.late = true;
          log.events.push(ev);
          if (stopped) return;
          counts[msg ? 'message' : e.type]++;
          if (spec.work && msg) {
            const until = performance.now() + spec.work;
            while (performance.now() < until) {}
          }
          if (spec.microtasks && msg) {
            // Native dispatch runs a handler's microtasks before the next
            // event's handler (SSE-51).
            queueMicrotask(() => log.events.push({type: 'microtask'}));
          }
          if (spec.stopWindowOn && spec.stopWindowOn === e.type && !stopped) {
            g.stop();
          }
          if (!msg && e.type === 'error' && es.readyState === 2) {
            finish('closed');
          } else if ((stop.messages && counts.message >= stop.messages) ||
                     (stop.errors && counts.error >= stop.errors) ||
                     (stop.opens && counts.open >= stop.opens)) {
            finish('stop');
          }
          if (msg && spec.throwOn && counts.message === spec.throwOn) {
            throw new Error('listener error thrown on purpose');
          }
        });
      }
      if (spec.closeIn) {
        const {via, type, on = 1} = spec.closeIn;
        let calls = 0;
        const close = () => {
          if (++calls === on) finish('closeIn ' + via);
        };
        if (via === 'listener') es.addEventListener(type, close);
        else es[via] = close;
      }
      if (spec.expose) g[spec.expose] = {log, counts, finish};
      if (spec.closeNow) finish('closeNow');
      if (spec.stopWindowAfter) {
        // The user agent cancels a request still waiting for its response
        // (the server stalls it): there is no event to hook this on.
        setTimeout(() => g.stop(), spec.stopWindowAfter);
      }
    });
  };

  // recordEventSource.describeMessage(ctor, url) resolves to what a page can
  // observe of the first message event of a new ctor(url): its class, own
  // and enumerable properties, where `origin` comes from, every attribute.
  // TestMessageEventShape compares native with the polyfill.
  g.recordEventSource.describeMessage = function (ctor, url) {
    return new Promise((resolve, reject) => {
      const es = new g[ctor](url);
      const timer = setTimeout(() => { es.close(); reject(new Error('no message from ' + url)); }, 10000);
      es.addEventListener('message', (e) => {
        clearTimeout(timer);
        es.close();
        const enumerable = [];
        for (const k in e) enumerable.push(k);
        const describe = (o, k) => {
          const d = Object.getOwnPropertyDescriptor(o, k);
          return d ? [typeof d.get, d.enumerable, d.configurable] : null;
        };
        let originProperty = null;
        for (let p = e; p && !originProperty; p = Object.getPrototypeOf(p)) originProperty = describe(p, 'origin');
        resolve({
          instance: e instanceof MessageEvent && e instanceof Event,
          constructor: e.constructor === MessageEvent,
          tag: Object.prototype.toString.call(e),
          own: Object.getOwnPropertyNames(e).sort().join(),
          enumerable: enumerable.sort().join(),
          originProperty,
          type: e.type, data: e.data, origin: e.origin, lastEventId: e.lastEventId,
          source: e.source, ports: Array.isArray(e.ports) && e.ports.length === 0 && Object.isFrozen(e.ports),
          bubbles: e.bubbles, cancelable: e.cancelable, composed: e.composed,
          phase: e.eventPhase, target: e.target === es && e.currentTarget === es,
          json: Object.keys(JSON.parse(JSON.stringify(e))).join(),
          trusted: e.isTrusted,
        });
      }, {once: true});
    });
  };
})(globalThis);
