import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// A SIGTERM sent the moment the demo logged "listening" was sometimes ignored: main.ts swapped its
// start-up signal listener for the serving one with process.off + process.on, and Node drops a
// signal delivered to the handle that removal closed. Each case runs in a process of its own,
// which signals itself (delivered before kill() returns) and swaps the handler before the event
// loop dispatches it: exactly the window the demo hit by chance.

const STOP_SIGNALS = new URL('../../src/stopSignals.ts', import.meta.url).href;
const run = promisify(execFile);

async function inOwnProcess(script: string): Promise<string> {
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', `import { routeStopSignals } from ${JSON.stringify(STOP_SIGNALS)};\n${script}`], {
    timeout: 30_000,
  });
  return stdout;
}

describe('routeStopSignals', () => {
  it('hands a signal delivered before the swap, not yet dispatched, to the new handler', async () => {
    const stdout = await inOwnProcess(`
      const route = routeStopSignals((signal) => console.log('starting handler: ' + signal));
      process.kill(process.pid, 'SIGTERM');
      route.handleWith((signal) => { console.log('serving handler: ' + signal); process.exit(0); });
      setTimeout(() => { console.log('dropped'); process.exit(0); }, 2000);
    `);
    expect(stdout).toBe('serving handler: SIGTERM\n');
  });

  it('routes SIGINT and SIGTERM each to the handler current when it is dispatched', async () => {
    const stdout = await inOwnProcess(`
      const route = routeStopSignals((signal) => console.log('starting handler: ' + signal));
      process.kill(process.pid, 'SIGINT');
      await new Promise((resolve) => setTimeout(resolve, 50));
      route.handleWith((signal) => { console.log('serving handler: ' + signal); process.exit(0); });
      process.kill(process.pid, 'SIGTERM');
      setTimeout(() => { console.log('dropped'); process.exit(0); }, 2000);
    `);
    expect(stdout).toBe('starting handler: SIGINT\nserving handler: SIGTERM\n');
  });
});
