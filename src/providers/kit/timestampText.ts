import { z } from 'zod';

/**
 * A provider's time as its wire carries it (text), accepted only when `isTime` says it is one (checked
 * without making it: the mapping makes the time only if its field is read).
 * One that is not breaks the provider's contract: a PROVIDER_BAD_RESPONSE on the fields that read
 * it, naming its path, not the null a mapping would make of it. Oration's and Trata's optional
 * times took any string, so a garbled `timestampEnd` read as "not ended": an ENDED Trata call
 * answered IN_PROGRESS with no end, and left the ENDED filter (found from outside).
 */
export function timestampText(isTime: (text: string) => boolean) {
  return z.string().refine(isTime, 'expected an ISO 8601 timestamp');
}
