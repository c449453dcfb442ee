/**
 * `npm run simulators`: the three provider simulators alone, on fixed ports, for exploring the
 * provider APIs with curl or pointing a workspaces file at them. Ports and latency come from
 * the environment (see docs/providers.md, "Simulators").
 */
import { createOrationSimulator } from './oration/orationSimulator.ts';
import { createTrataSimulator } from './trata/trataSimulator.ts';
import { createVoiceOsSimulator } from './voiceos/voiceOsSimulator.ts';

const refusals: string[] = [];

/** A whole number from the environment in decimal digits (as the gateway's own settings); a bad one is refused, with every other, before anything listens. */
const wholeNumber = (name: string, fallback: number, max: number, what: string): number => {
  const text = process.env[name]?.trim() ?? String(fallback);
  const value = Number(text);
  if (!/^\d+$/.test(text) || value > max) refusals.push(`Invalid ${name}: expected ${what}`);
  return value;
};
const port = (name: string, fallback: number): number => wholeNumber(name, fallback, 65535, 'a port number, 0 to 65535');
const latencyMs = wholeNumber('SIMULATOR_LATENCY_MS', 0, 60_000, 'a whole number of milliseconds, at most 60000');
const ports = { oration: port('ORATION_SIMULATOR_PORT', 4101), trata: port('TRATA_SIMULATOR_PORT', 4102), voiceos: port('VOICEOS_SIMULATOR_PORT', 4103) };
if (refusals.length > 0) {
  process.stderr.write(`${refusals.join('\n')}\n`);
  process.exit(1);
}
const latency = { minMs: latencyMs, maxMs: latencyMs * 2 };

const oration = createOrationSimulator({ latency });
const trata = createTrataSimulator({ latency });
const voiceos = createVoiceOsSimulator({ latency });

/** Listens, or stops with one line naming the port's setting (a port in use printed a stack trace). */
async function listenOn(simulator: { listen(port: number): Promise<string> }, setting: string, portNumber: number): Promise<string> {
  try {
    return await simulator.listen(portNumber);
  } catch (error) {
    const reason = (error as { code?: string }).code === 'EADDRINUSE' ? 'is in use' : `cannot be listened on (${String(error)})`;
    process.stderr.write(`Port ${portNumber} (${setting}) ${reason}: stop what holds it, or set ${setting} to another port (0 for any free one)\n`);
    process.exit(1);
  }
}

const urls = {
  oration: `${await listenOn(oration, 'ORATION_SIMULATOR_PORT', ports.oration)}/api/v2`,
  trata: await listenOn(trata, 'TRATA_SIMULATOR_PORT', ports.trata),
  voiceos: await listenOn(voiceos, 'VOICEOS_SIMULATOR_PORT', ports.voiceos),
};
process.stdout.write(`Provider simulators running:\n${JSON.stringify(urls, null, 2)}\n`);

const stop = async () => {
  await Promise.all([oration.close(), trata.close(), voiceos.close()]);
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
