import { describeChaos } from './chaosRig.ts';

// Seeded SIGKILLs during batches under provider faults, on PostgreSQL (`chaosRig.ts`).
describeChaos('PostgreSQL');
