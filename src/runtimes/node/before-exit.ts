/**
 * The runtime's single 'beforeExit' action. Node emits 'beforeExit' once the event loop has nothing left
 * to run; while a handler runs the runtime keeps no HTTP request open (the keep-alive socket is unref'd
 * when idle), so this event is how "the event loop is empty" is detected for
 * `callbackWaitsForEmptyEventLoop` and for non-async handlers that never call back.
 * Same design as aws-lambda-ric 3.x `src/BeforeExitListener.js`.
 */
const noop = (): void => {};
let action: () => void = noop;

export const beforeExit = {
  set(fn: () => void): void {
    action = fn;
  },
  reset(): void {
    action = noop;
  },
  install(): void {
    process.on('beforeExit', () => {
      const run = action;
      action = noop;
      run();
    });
  },
};
