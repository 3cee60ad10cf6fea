// A dedicated worker that runs the recorder on the specs it is sent, for the
// native and the polyfill constructor alike.
importScripts('/dist/eventsource-polyfill.js', '/e2e/recorder.js');

onmessage = async (e) => {
  if (e.data.afterClose) {
    // SSE-56: once the worker has called close(), constructors still return
    // an object in CONNECTING. Messages posted now are still delivered.
    self.close();
    postMessage(e.data.afterClose.map((name) => {
      try {
        return new self[name](e.data.url).readyState;
      } catch (err) {
        return err.name;
      }
    }));
    return;
  }
  if (e.data.describe) {
    const {ctors, url} = e.data.describe;
    postMessage(await Promise.all(ctors.map((c, i) => recordEventSource.describeMessage(c, url + i))));
    return;
  }
  postMessage(await Promise.all(e.data.map(recordEventSource)));
};
