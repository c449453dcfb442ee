/**
 * The benchmark's upstream: the three provider simulators in a process of their own, on free
 * ports, every request answered after exactly `SIM_LATENCY_MS`. Prints one line of JSON with the
 * base URLs, then serves until killed. Request counts are read and reset through each
 * simulator's `/__simulator/*` control endpoints.
 */
import { createOrationSimulator } from '../../src/simulators/oration/orationSimulator.ts';
import { createTrataSimulator } from '../../src/simulators/trata/trataSimulator.ts';
import { createVoiceOsSimulator } from '../../src/simulators/voiceos/voiceOsSimulator.ts';

const latencyMs = Number(process.env.SIM_LATENCY_MS ?? 20);
const latency = { minMs: latencyMs, maxMs: latencyMs };
const oration = createOrationSimulator({ latency });
const trata = createTrataSimulator({ latency });
const voiceos = createVoiceOsSimulator({ latency });
const urls = { oration: await oration.listen(0), trata: await trata.listen(0), voiceos: await voiceos.listen(0) };
process.stdout.write(`${JSON.stringify(urls)}\n`);
process.on('SIGTERM', () => {
  void Promise.all([oration.close(), trata.close(), voiceos.close()]).then(() => process.exit(0));
});
