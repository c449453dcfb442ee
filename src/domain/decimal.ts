/**
 * Exact decimal amounts for money.
 *
 * Providers send amounts as JSON numbers (VoiceOS: `"cost": 0.0352`). Summed as binary floats,
 * components miss the total they add up to (0.1 + 0.2 !== 0.3), which is what a BI tool summing
 * `amountUsd` saw in about a third of VoiceOS conversations. A `Decimal` holds the amount as an
 * integer count of units at a scale (`0.0352` is 352 units of 10^-4), so sums are exact, and it
 * travels through GraphQL as a string that no client can round by accident.
 *
 * No decimal library is installed, and the gateway only reads, adds and writes amounts, so this
 * small value type is all it needs; it never divides or rounds.
 */
/** What `Decimal.parseInput` accepts; also the GraphQL scalar's JSON Schema pattern. */
export const DECIMAL_INPUT_PATTERN = '^-?\\d+(\\.\\d+)?$';
const DECIMAL_INPUT = new RegExp(DECIMAL_INPUT_PATTERN);

export class Decimal {
  /** The amount in units of 10^-scale. */
  readonly units: bigint;
  /** Digits after the decimal point. */
  readonly scale: number;

  private constructor(units: bigint, scale: number) {
    this.units = units;
    this.scale = scale;
  }

  static readonly ZERO = new Decimal(0n, 0);

  /**
   * Parses a decimal a client wrote: digits with an optional leading minus and fraction (`-5`, `0.0352`),
   * nothing else (no exponent, no spaces, no bare `1.`). One format on every entry point, the
   * GraphQL `Decimal` scalar and the export parameters alike. Returns null for anything else.
   */
  static parseInput(text: string): Decimal | null {
    return DECIMAL_INPUT.test(text) ? Decimal.parse(text) : null;
  }

  /**
   * Parses a plain decimal text (`-12.3400`, `0.000001`, `1e-7`). Trailing zeros are kept in the
   * scale, so a provider's `0.10` stays `0.10`. Returns null for anything else.
   */
  static parse(text: string): Decimal | null {
    const match = /^([+-]?)(\d+)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text.trim());
    if (!match) return null;
    const [, sign = '', whole = '', fraction = '', exponentText] = match;
    const exponent = exponentText === undefined ? 0 : Number(exponentText);
    if (!Number.isSafeInteger(exponent) || Math.abs(exponent) > 1000) return null;
    let digits = `${whole}${fraction}`;
    let scale = fraction.length - exponent;
    if (scale < 0) {
      digits += '0'.repeat(-scale);
      scale = 0;
    }
    const units = BigInt(digits);
    return new Decimal(sign === '-' ? -units : units, scale);
  }

  /**
   * The decimal a provider wrote, from the float JSON.parse made of it. JavaScript prints the
   * shortest text that reads back as the same double, which for any amount written with up to 15
   * significant digits is exactly what the provider sent: `0.0352`, never `0.035200000000000002`.
   */
  static fromJsonNumber(value: number): Decimal {
    if (!Number.isFinite(value)) throw new RangeError(`not a finite amount: ${value}`);
    const parsed = Decimal.parse(String(value));
    if (parsed === null) throw new RangeError(`not a decimal amount: ${value}`);
    return parsed;
  }

  plus(other: Decimal): Decimal {
    const scale = Math.max(this.scale, other.scale);
    return new Decimal(this.#unitsAt(scale) + other.#unitsAt(scale), scale);
  }

  /** Equal amounts, whatever their scales (`0.1` equals `0.10`). */
  equals(other: Decimal): boolean {
    const scale = Math.max(this.scale, other.scale);
    return this.#unitsAt(scale) === other.#unitsAt(scale);
  }

  /** Plain notation, never an exponent, with the scale's digits: `0.0352`, `-3`, `0.10`. */
  toString(): string {
    const negative = this.units < 0n;
    const digits = (negative ? -this.units : this.units).toString().padStart(this.scale + 1, '0');
    const whole = digits.slice(0, digits.length - this.scale);
    const fraction = digits.slice(digits.length - this.scale);
    return `${negative ? '-' : ''}${whole}${this.scale > 0 ? `.${fraction}` : ''}`;
  }

  /** The nearest double, for the deprecated Float fields only. */
  toNumber(): number {
    return Number(this.toString());
  }

  /** The same amount without trailing fraction zeros (`0.10` is `0.1`, `2.000` is `2`). */
  trimmed(): Decimal {
    let { units, scale } = this;
    while (scale > 0 && units % 10n === 0n) {
      units /= 10n;
      scale -= 1;
    }
    return scale === this.scale ? this : new Decimal(units, scale);
  }

  toJSON(): string {
    return this.toString();
  }

  #unitsAt(scale: number): bigint {
    return this.units * 10n ** BigInt(scale - this.scale);
  }
}
