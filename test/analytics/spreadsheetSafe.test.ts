import { describe, expect, it } from 'vitest';
import { spreadsheetSafe } from '../../src/analytics/exports/spreadsheetSafe.ts';

describe('spreadsheetSafe', () => {
  it('quotes a cell a spreadsheet would run as a formula, and nothing else', () => {
    const cells = ['=1+1', '+cmd|\' /C calc\'!A0', '-2+3', '@SUM(A1)', '\t=1', '\r=1', 'plain', '', '0.0352', '-0.5', '+14155550123', '-', 'a=b'];
    expect(cells.map(spreadsheetSafe)).toEqual(["'=1+1", "'+cmd|' /C calc'!A0", "'-2+3", "'@SUM(A1)", "'\t=1", "'\r=1", 'plain', '', '0.0352', '-0.5', '+14155550123', "'-", 'a=b']);
  });
});
