/**
 * SQL for the elements of a JSON array stored in a record (cost components, transcript messages,
 * quantities), or no rows when the value is null or not an array. A bare `jsonb_array_elements`
 * raises an error on a non-array, so one odd record would fail a whole total, export or view.
 */
export const jsonArrayElements = (expression: string): string =>
  `jsonb_array_elements(CASE WHEN jsonb_typeof(${expression}) = 'array' THEN ${expression} ELSE '[]'::jsonb END)`;
