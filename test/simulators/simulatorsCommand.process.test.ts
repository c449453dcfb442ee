import { execFile } from 'node:child_process';
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
});
