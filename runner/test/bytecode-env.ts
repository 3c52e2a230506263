// Imported first by the tests of the runner's own QuickJS build, which is opt-in: every module evaluated
// after it, and the VU threads, which read this process's environment, see RUNNER_QUICKJS=bytecode.
process.env.RUNNER_QUICKJS = 'bytecode';
