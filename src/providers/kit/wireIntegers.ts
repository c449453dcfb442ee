import { z } from 'zod';

const INT_MAX = 2_147_483_647;

/**
 * Provider numbers the API answers as a GraphQL `Int`: whole, and within its 32 bits. A plain
 * `z.number()` took 1.5 or 99999999999, and graphql-js then failed the field as an internal
 * error with a logged stack instead of the provider's PROVIDER_BAD_RESPONSE (an outside trial).
 */
export const wholeNumber = z.number().int().min(-INT_MAX - 1).max(INT_MAX);

/** A whole count or duration (seconds, tokens): never below zero. */
export const wholeCount = z.number().int().nonnegative().max(INT_MAX);
