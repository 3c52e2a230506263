// Imported first by the tests of the runner's own QuickJS build (the default): every module evaluated
// after it, and the VU threads, which read this process's environment, see RUNNER_QUICKJS=bytecode even
// where the environment asked for another build.
process.env.RUNNER_QUICKJS = 'bytecode';
