import type { SeededRandom } from '../shared/random.ts';

/**
 * Made-up callers. Their phone numbers come in the forms real callers give them: national numbers
 * like the document's `96260-12778`, US national with parentheses, and E.164 with or without
 * spaces, so the gateway's phone handling meets every case. The 555-01xx and 7946 0xxx ranges are
 * reserved for fiction.
 */
export interface CallerIdentity {
  name: string;
  phoneNumber: string | null;
  email: string | null;
  address: string | null;
}

const FIRST_NAMES = [
  'Aarav', 'Ananya', 'Ben', 'Carmen', 'Chloe', 'Daniel', 'Deepa', 'Elena', 'Farah', 'Grace', 'Hiro', 'Isabel',
  'Jamal', 'Julia', 'Karan', 'Lena', 'Lucas', 'Maria', 'Mei', 'Nikhil', 'Olivia', 'Omar', 'Priyanka', 'Rahul',
  'Rosa', 'Sara', 'Tom', 'Vikram', 'Wei', 'Zoe',
] as const;
const LAST_NAMES = [
  'Agarwal', 'Brown', 'Chen', 'Dubois', 'Fernandez', 'Garcia', 'Ito', 'Johnson', 'Khan', 'Kowalski', 'Lee', 'Martin',
  'Nair', 'Novak', 'Okafor', 'Patel', 'Rossi', 'Schmidt', 'Singh', 'Taylor', 'Walker', 'Yilmaz',
] as const;
const STREETS = ['Main Street', 'Oak Avenue', 'Park Road', 'Lake View Drive', 'Market Street', 'Elm Street', 'Hill Road'] as const;
const CITIES = ['New York, NY, 10001', 'Austin, TX, 73301', 'Chicago, IL, 60601', 'Seattle, WA, 98101', 'Denver, CO, 80202'] as const;
const MAIL_DOMAINS = ['gmail.com', 'outlook.com', 'yahoo.com', 'example.com'] as const;

export function makeCallerIdentity(random: SeededRandom): CallerIdentity {
  const first = random.pick(FIRST_NAMES);
  const last = random.pick(LAST_NAMES);
  const fullName = random.chance(0.3);
  return {
    // Callers often give a first name only, as Hari does in the document.
    name: fullName ? `${first} ${last}` : first,
    phoneNumber: random.chance(0.06) ? null : makePhoneNumber(random),
    email: random.chance(0.2) ? null : `${first.toLowerCase()}${random.chance(0.5) ? `.${last.toLowerCase()}` : random.int(1, 99)}@${random.pick(MAIL_DOMAINS)}`,
    address: random.chance(0.4) ? null : `${random.int(1, 999)}, ${random.pick(STREETS)}, ${random.pick(CITIES)}`,
  };
}

function makePhoneNumber(random: SeededRandom): string {
  const digits = (count: number) => random.token(count, '0123456789');
  const last4 = `01${digits(2)}`;
  switch (random.int(0, 4)) {
    case 0:
      return `${random.pick(['9', '8', '7'])}${digits(4)}-${digits(5)}`; // national, as in the document
    case 1:
      return `+1${random.pick(['212', '415', '512', '312'])}555${last4}`; // E.164
    case 2:
      return `(${random.pick(['212', '415', '512', '312'])}) 555-${last4}`; // US national
    case 3:
      return `+44 20 7946 0${digits(3)}`; // E.164 with spaces
    default:
      return `${random.pick(['9', '8'])}${digits(4)} ${digits(5)}`; // national, spaced
  }
}
