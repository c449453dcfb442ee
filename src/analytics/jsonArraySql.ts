/**
 * SQL for the elements of a JSON array stored in a record (cost components, transcript messages,
 * quantities), or no rows when the value is null or not an array. A bare `jsonb_array_elements`
 * raises an error on a non-array, so one odd record would fail a whole total, export or view.
 */
export const jsonArrayElements = (expression: string): string =>
  `jsonb_array_elements(CASE WHEN jsonb_typeof(${expression}) = 'array' THEN ${expression} ELSE '[]'::jsonb END)`;

/** A stored conversation's (`alias` a synced_records row) cost components: totals, exports and views read the same path. */
export const COMPONENTS_OF = (alias: string): string => jsonArrayElements(`${alias}.record->'cost'->'components'`);

/** A stored conversation's transcript messages. */
export const MESSAGES_OF = (alias: string): string => jsonArrayElements(`${alias}.record->'transcript'->'messages'`);
