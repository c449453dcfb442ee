/**
 * `npm run simulators`: the three provider simulators alone, on fixed ports, for exploring the
 * provider APIs with curl or pointing a workspaces file at them. Ports and latency come from
 * the environment (see docs/providers.md, "Simulators").
 */
import { createOrationSimulator } from './oration/orationSimulator.ts';
import { createTrataSimulator } from './trata/trataSimulator.ts';
import { createVoiceOsSimulator } from './voiceos/voiceOsSimulator.ts';

/** A whole number from the environment in decimal digits (as the gateway's own settings), else the start stops naming it. */
const wholeNumber = (name: string, fallback: number, max: number, what: string): number => {
  const text = process.env[name]?.trim() ?? String(fallback);
  const value = Number(text);
  if (!/^\d+$/.test(text) || value > max) {
    process.stderr.write(`Invalid ${name}: expected ${what}\n`);
    process.exit(1);
  }
  return value;
};
const port = (name: string, fallback: number): number => wholeNumber(name, fallback, 65535, 'a port number, 0 to 65535');
const latencyMs = wholeNumber('SIMULATOR_LATENCY_MS', 0, 60_000, 'a whole number of milliseconds, at most 60000');
const latency = { minMs: latencyMs, maxMs: latencyMs * 2 };

const oration = createOrationSimulator({ latency });
const trata = createTrataSimulator({ latency });
const voiceos = createVoiceOsSimulator({ latency });

const urls = {
  oration: `${await oration.listen(port('ORATION_SIMULATOR_PORT', 4101))}/api/v2`,
  trata: await trata.listen(port('TRATA_SIMULATOR_PORT', 4102)),
  voiceos: await voiceos.listen(port('VOICEOS_SIMULATOR_PORT', 4103)),
};
process.stdout.write(`Provider simulators running:\n${JSON.stringify(urls, null, 2)}\n`);

const stop = async () => {
  await Promise.all([oration.close(), trata.close(), voiceos.close()]);
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
