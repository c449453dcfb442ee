import { describeChaos } from './chaosRig.ts';

// Seeded SIGKILLs during batches under provider faults, on PGlite (`chaosRig.ts`).
describeChaos('PGlite');
