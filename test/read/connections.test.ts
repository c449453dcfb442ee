import { describe, expect, it } from 'vitest';
import { connectionOf, edgeOf } from '../../src/read/connections.ts';

/** Three edges whose cursors count how often they are encoded. */
function countedEdges() {
  const encoded: string[] = [];
  const edges = ['a', 'b', 'c'].map((node) =>
    edgeOf(node, () => {
      encoded.push(node);
      return `cursor-${node}`;
    }),
  );
  return { edges, encoded };
}

describe('connectionOf', () => {
  it('encodes no cursor for a page whose pageInfo cursors are never read', () => {
    const { edges, encoded } = countedEdges();
    const connection = connectionOf(edges, true, 3, false);
    expect(connection.pageInfo.hasNextPage).toBe(true);
    expect(connection.pageInfo.hasPreviousPage).toBe(false);
    expect(connection.edges.map((edge) => edge.node)).toEqual(['a', 'b', 'c']);
    expect(encoded).toEqual([]);
  });

  it('encodes the first and last cursors when read, each once', () => {
    const { edges, encoded } = countedEdges();
    const { pageInfo } = connectionOf(edges, false, null, true);
    expect(pageInfo.startCursor).toBe('cursor-a');
    expect(pageInfo.endCursor).toBe('cursor-c');
    expect(pageInfo.endCursor).toBe('cursor-c');
    expect(edges[2]!.cursor).toBe('cursor-c');
    expect(encoded).toEqual(['a', 'c']);
  });

  it('spreads and serializes whole, cursors included', () => {
    const { edges } = countedEdges();
    const { pageInfo } = connectionOf(edges, true, 3, false);
    const whole = { hasNextPage: true, hasPreviousPage: false, startCursor: 'cursor-a', endCursor: 'cursor-c' };
    expect({ ...pageInfo }).toEqual(whole);
    expect(JSON.parse(JSON.stringify(pageInfo))).toEqual(whole);
  });

  it('answers null cursors for an empty page', () => {
    expect(connectionOf([], false, 0, false).pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null });
  });
});
