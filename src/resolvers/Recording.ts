import type { RecordingResolvers } from '../generated/graphql.ts';

export const Recording: RecordingResolvers = {
  status: (recording) => recording.status?.value ?? null,
  rawStatus: (recording) => recording.status?.raw ?? null,
};
