/**
 * `npm run simulators`: the three provider simulators alone, on fixed ports, for exploring the
 * provider APIs with curl or pointing a workspaces file at them. Ports and latency come from
 * the environment (see docs/providers.md, "Simulators").
 */
import { createOrationSimulator } from './oration/orationSimulator.ts';
import { createTrataSimulator } from './trata/trataSimulator.ts';
import { createVoiceOsSimulator } from './voiceos/voiceOsSimulator.ts';

const port = (name: string, fallback: number): number => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    process.stderr.write(`Invalid ${name}: expected a port number\n`);
    process.exit(1);
  }
  return value;
};
const latencyMs = Number(process.env.SIMULATOR_LATENCY_MS ?? 0);
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
