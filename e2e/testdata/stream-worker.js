// A dedicated worker that runs the fromReadableStream() cases with the
// polyfill and posts their results.
importScripts('/dist/eventsource-polyfill.js', '/e2e/stream-cases.js');
runStreamCases(EventSourcePolyfill).then(postMessage);
