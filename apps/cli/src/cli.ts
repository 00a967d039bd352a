import { runCli } from './main.js';

// The `actllm` bin (tsup adds the #!/usr/bin/env node line).
void runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
