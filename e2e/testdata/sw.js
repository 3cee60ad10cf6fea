// A service worker with no EventSource of its own: the polyfill installs
// itself and the events it receives are relayed to the page that asked.
delete self.EventSource;
importScripts('/dist/eventsource-polyfill.js');

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (e) => e.waitUntil(self.clients.claim()));

self.addEventListener('message', (e) => {
  const client = e.source;
  const {url, messages} = e.data;
  e.waitUntil(new Promise((resolve) => {
    const info = {
      isPolyfill: typeof EventSourcePolyfill === 'function' && self.EventSource === EventSourcePolyfill,
    };
    let es;
    try {
      es = new self.EventSource(url);
    } catch (err) {
      client.postMessage({done: true, info, threw: err.name + ': ' + err.message});
      resolve();
      return;
    }
    let count = 0;
    const relay = (ev) => {
      const msg = ev instanceof MessageEvent;
      client.postMessage({type: ev.type, rs: es.readyState, msg,
                          data: msg ? ev.data : undefined, id: msg ? ev.lastEventId : undefined});
      if (msg) count++;
      if (count >= messages || es.readyState === 2) {
        es.close();
        client.postMessage({done: true, info});
        resolve();
      }
    };
    for (const type of ['open', 'message', 'error']) es.addEventListener(type, relay);
  }));
});
