/**
 * The businesses behind the simulated Trata agents. Each kind has its own dialogue scripts
 * (`dialogueScripts.ts`), so a restaurant agent takes orders and a clinic agent books visits.
 */

export type PersonaKind = 'restaurant' | 'appointments' | 'support';

export interface AgentPersona {
  name: string;
  business: string;
  role: string;
  kind: PersonaKind;
  language: string;
  /** Dishes, services or issues the dialogues talk about. */
  offerings: readonly string[];
}

/** The agent of the documented response: the Hari order is hers. */
export const SOPHIA: AgentPersona = {
  name: 'Sophia',
  business: 'Cote Korean Steak House',
  role: 'the Restaurant manager',
  kind: 'restaurant',
  language: 'en-US',
  offerings: ['Spicy Korean Chicken Wings', 'Spicy Beef Bulgogi', 'Galbi Short Ribs', 'Kimchi Fried Rice', 'Bibimbap'],
};

/** The agent of the documented request, whose summary is about billing issues. */
export const BILLING_AGENT: AgentPersona = {
  name: 'Alex',
  business: 'Northwind Internet',
  role: 'the billing assistant',
  kind: 'support',
  language: 'en-US',
  offerings: ['a double charge on the last invoice', 'a late payment fee', 'switching to paperless billing', 'a refund for an outage'],
};

/** Further personas; each account draws its other agents from these. */
export const PERSONA_POOL: readonly AgentPersona[] = [
  {
    name: 'Marco',
    business: 'Trattoria Bella',
    role: 'the host',
    kind: 'restaurant',
    language: 'en-US',
    offerings: ['Margherita Pizza', 'Spaghetti Carbonara', 'Penne Arrabbiata', 'Lasagna al Forno', 'Tiramisu'],
  },
  {
    name: 'Priya',
    business: 'Spice Route Kitchen',
    role: 'the order desk',
    kind: 'restaurant',
    language: 'en-IN',
    offerings: ['Chicken Tikka Masala', 'Lamb Vindaloo', 'Paneer Butter Masala', 'Garlic Naan', 'Vegetable Biryani'],
  },
  {
    name: 'Maya',
    business: 'Bright Smile Dental',
    role: 'the front desk',
    kind: 'appointments',
    language: 'en-US',
    offerings: ['a cleaning', 'a check-up', 'a whitening consultation', 'a filling'],
  },
  {
    name: 'Leo',
    business: 'Uptown Auto Care',
    role: 'the service advisor',
    kind: 'appointments',
    language: 'en-US',
    offerings: ['an oil change', 'a brake inspection', 'a tire rotation', 'an AC check'],
  },
  {
    name: 'Nora',
    business: 'Glow Hair Studio',
    role: 'the salon receptionist',
    kind: 'appointments',
    language: 'en-GB',
    offerings: ['a haircut', 'a colour appointment', 'a blow-dry', 'a keratin treatment'],
  },
  {
    name: 'Sam',
    business: 'CloudDesk',
    role: 'the support assistant',
    kind: 'support',
    language: 'en-US',
    offerings: ['a login problem', 'a password reset', 'a question about the invoice', 'exporting reports'],
  },
  {
    name: 'Ava',
    business: 'Metro Power & Gas',
    role: 'the customer care assistant',
    kind: 'support',
    language: 'en-US',
    offerings: ['a high bill', 'a meter reading', 'a payment plan', 'moving house'],
  },
  {
    name: 'Ethan',
    business: 'Harbor Physio',
    role: 'the clinic coordinator',
    kind: 'appointments',
    language: 'en-AU',
    offerings: ['a physiotherapy assessment', 'a sports massage', 'a follow-up session'],
  },
];
