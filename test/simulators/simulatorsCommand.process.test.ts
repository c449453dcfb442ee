import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { pathWithThisNode } from '../fanout/gatewayProcess.ts';

// `npm run simulators` read its ports and latency with Number(): SIMULATOR_LATENCY_MS=abc ran
// every answer after NaN ms and ORATION_SIMULATOR_PORT=0x10 listened on 16. It now reads them as
// the gateway reads its own settings, in decimal digits, and stops naming the bad one.

const MAIN = fileURLToPath(new URL('../../src/simulators/main.ts', import.meta.url));

function runSimulators(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN], { env: { PATH: pathWithThisNode(), ...env }, timeout: 20_000 }, (error, _stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stderr });
    });
  });
}

describe('npm run simulators', () => {
  it.each([
    ['SIMULATOR_LATENCY_MS', 'abc', 'a whole number of milliseconds, at most 60000'],
    ['SIMULATOR_LATENCY_MS', '1e3', 'a whole number of milliseconds, at most 60000'],
    ['SIMULATOR_LATENCY_MS', '', 'a whole number of milliseconds, at most 60000'],
    ['ORATION_SIMULATOR_PORT', '0x10', 'a port number, 0 to 65535'],
    ['TRATA_SIMULATOR_PORT', '70000', 'a port number, 0 to 65535'],
  ])('refuses %s=%j, naming it, before listening', async (name, value, expected) => {
    expect(await runSimulators({ [name]: value })).toEqual({ code: 1, stderr: `Invalid ${name}: expected ${expected}\n` });
  });

  it('names every bad setting at once, as the gateway does', async () => {
    expect(await runSimulators({ SIMULATOR_LATENCY_MS: 'abc', VOICEOS_SIMULATOR_PORT: '-1' })).toEqual({
      code: 1,
      stderr: 'Invalid SIMULATOR_LATENCY_MS: expected a whole number of milliseconds, at most 60000\nInvalid VOICEOS_SIMULATOR_PORT: expected a port number, 0 to 65535\n',
    });
  });

  it('says in one line which setting names a port in use, not a stack trace', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const { port } = holder.address() as { port: number };
    try {
      expect(await runSimulators({ ORATION_SIMULATOR_PORT: '0', TRATA_SIMULATOR_PORT: String(port), VOICEOS_SIMULATOR_PORT: '0' })).toEqual({
        code: 1,
        stderr: `Port ${port} (TRATA_SIMULATOR_PORT) is in use: stop what holds it, or set TRATA_SIMULATOR_PORT to another port (0 for any free one)\n`,
      });
    } finally {
      holder.close();
    }
  });
});
