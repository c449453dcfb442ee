import type { SeededRandom } from '../shared/random.ts';
import type { AgentPersona } from './agentPersonas.ts';

/**
 * Writes the dialogue of one simulated Trata conversation, with what Trata's analysis would say
 * about it. The scripts follow the document's sample: a greeting by the agent, callers who speak
 * in fragments, a phone number read out in pieces, and a sign-off.
 */

export type Sentiment = 'positive' | 'negative' | 'neutral' | 'mixed';
export type SourceType = 'BROWSER' | 'PHONE' | 'PHONE_OUTBOUND' | 'CHAT';

export interface Turn {
  speaker: 'AI' | 'USER';
  text: string;
}

export interface DialogueContext {
  persona: AgentPersona;
  sourceType: SourceType;
  sentiment: Sentiment;
  caller: { name: string; phoneNumber: string | null; address: string | null };
}

export interface Dialogue {
  turns: Turn[];
  summary: string;
  actionItems: string[];
  prospectStatus: string;
  /** False when the caller never said who they are (a wrong number): no prospect, no caller details. */
  callerIdentified: boolean;
}

const AI = (text: string): Turn => ({ speaker: 'AI', text });
const USER = (text: string): Turn => ({ speaker: 'USER', text });

export function writeDialogue(context: DialogueContext, random: SeededRandom): Dialogue {
  if (context.sourceType === 'PHONE_OUTBOUND') return outboundFollowUp(context, random);
  if (random.chance(0.06)) return wrongNumber(context);
  switch (context.persona.kind) {
    case 'restaurant':
      return context.sentiment === 'negative' || context.sentiment === 'mixed'
        ? restaurantComplaint(context, random)
        : random.chance(0.3)
          ? tableReservation(context, random)
          : foodOrder(context, random);
    case 'appointments':
      return context.sentiment === 'negative' ? appointmentCancellation(context, random) : appointmentBooking(context, random);
    case 'support':
      return supportRequest(context, random);
  }
}

function greeting({ persona, sourceType }: DialogueContext): Turn {
  const opening = sourceType === 'CHAT' ? `Hi, welcome to ${persona.business}!` : `Hi, thanks for calling ${persona.business}.`;
  return AI(`${opening} I am ${persona.name}, ${persona.role} powered by AI, how may I assist you today?`);
}

/** The caller's number as people read it out: in groups, like `96260` `12778.` in the sample. */
function phoneTurns(phoneNumber: string | null, random: SeededRandom): Turn[] {
  if (phoneNumber === null) return [USER("I'd rather not give my number. Just use the name.")];
  const groups = phoneNumber.replace(/^\+/, 'plus ').split(/[-\s]+/).filter(Boolean);
  if (groups.length < 2 || random.chance(0.4)) return [USER(`My phone number is ${phoneNumber}.`)];
  const last = groups.length - 1;
  return [USER('My phone number is'), ...groups.map((group, i) => USER(i === last ? `${group}.` : group))];
}

function foodOrder(context: DialogueContext, random: SeededRandom): Dialogue {
  const { persona, caller } = context;
  const dish = random.pick(persona.offerings);
  const side = random.pick(persona.offerings.filter((item) => item !== dish));
  const delivery = caller.address !== null && random.chance(0.5);
  const quantity = random.pick(['one', 'two', 'a large', 'three']);
  const turns = [
    greeting(context),
    USER(random.pick(['Hey.', 'Hi there.', 'Hello?'])),
    USER(random.pick(['I want to place an order.', 'Can I order some food?', 'So I want to book an order.'])),
    AI("Of course! Let's get started with your order. Which dishes would you like from our menu today?"),
  ];
  if (random.chance(0.5)) {
    turns.push(
      USER('What would you recommend? Something popular.'),
      AI(`Our ${dish} is a customer favorite, and the ${side} goes well with it. Would you like either of those?`),
    );
  }
  turns.push(
    USER(`Yeah, ${quantity} ${dish}, please.`),
    AI(`Great choice! Would you like to add anything else, for example our ${side}?`),
    USER(random.chance(0.5) ? `Sure, add the ${side} too.` : "No, that's it."),
    AI('Could you please provide your name, phone number, and whether this is for pickup or delivery?'),
    USER(delivery ? `It's for delivery to ${caller.address}.` : "I'll pick it up."),
    ...phoneTurns(caller.phoneNumber, random),
    USER(`And my name is ${caller.name}.`),
    AI(
      `Thank you, ${caller.name}! Your order is confirmed for ${delivery ? 'delivery' : 'pickup'}. ` +
        `It will be ready in the next ${random.pick(['20-30', '30-45', '45-60'])} minutes. Is there anything else I can help with?`,
    ),
    USER('Nothing. All good. Thank you.'),
    AI('Thanks for calling us, you have a great one! Bye'),
  );
  return {
    turns,
    summary:
      `The caller, ${caller.name}, placed an order at ${persona.business} for ${dish} for ${delivery ? 'delivery' : 'pickup'}. ` +
      'The order was confirmed.',
    actionItems: [
      `Prepare the ${dish} for ${caller.name}'s ${delivery ? 'delivery' : 'pickup'}.`,
      `Send a confirmation text to ${caller.name} about the order.`,
    ],
    prospectStatus: 'SERVICE_ORDER_PLACED',
    callerIdentified: true,
  };
}

function tableReservation(context: DialogueContext, random: SeededRandom): Dialogue {
  const { persona, caller } = context;
  const guests = random.int(2, 8);
  const day = random.pick(['tonight', 'tomorrow', 'Friday', 'Saturday', 'Sunday']);
  const time = random.pick(['6:30', '7', '7:30', '8', '8:30']);
  const turns = [
    greeting(context),
    USER(`Hi, I'd like to book a table for ${guests} ${day}.`),
    AI(`I'd be happy to help! What time would you like the table for ${guests} ${day}?`),
    USER(`Around ${time} PM, if possible.`),
    AI(`${time} PM ${day} is available for ${guests} guests. May I have a name and phone number for the reservation?`),
    USER(`It's ${caller.name}.`),
    ...phoneTurns(caller.phoneNumber, random),
    AI(`Thank you, ${caller.name}. Your table for ${guests} is booked for ${day} at ${time} PM. Anything else?`),
    USER(random.pick(['No, thanks. Bye.', 'That is all, thank you.'])),
    AI('We look forward to seeing you. Goodbye!'),
  ];
  return {
    turns,
    summary: `${caller.name} booked a table for ${guests} at ${persona.business} for ${day} at ${time} PM.`,
    actionItems: [`Reserve a table for ${guests} under ${caller.name} for ${day} at ${time} PM.`],
    prospectStatus: 'APPOINTMENT_BOOKED',
    callerIdentified: true,
  };
}

function restaurantComplaint(context: DialogueContext, random: SeededRandom): Dialogue {
  const { persona, caller, sentiment } = context;
  const dish = random.pick(persona.offerings);
  const problem = random.pick(['arrived cold', 'was missing from my order', 'took over an hour', 'was not what I ordered']);
  const resolved = sentiment === 'mixed';
  const turns = [
    greeting(context),
    USER(`Yeah, hi. My ${dish} ${problem}.`),
    AI(`I'm so sorry to hear that your ${dish} ${problem}. Could you tell me the name on the order?`),
    USER(`${caller.name}.`),
    AI(`Thank you, ${caller.name}. I can see your order from earlier today. I apologize for the trouble.`),
    USER(random.pick(['This is the second time this happened.', 'Honestly, I am pretty disappointed.'])),
  ];
  if (resolved) {
    turns.push(
      AI('I completely understand. I can offer you a full refund or a fresh order delivered at no charge. Which would you prefer?'),
      USER('A fresh order, I guess. But make it quick, please.'),
      AI('Done. A fresh order is on its way and should arrive within 30 minutes. Again, I apologize.'),
      USER('Okay. Thanks.'),
    );
  } else {
    turns.push(
      AI('I understand. I will pass this on to our manager, who will call you back about a refund.'),
      USER("I don't want a call back, I want my money back now."),
      AI('I hear you. Unfortunately I cannot issue refunds myself, but I have marked this as urgent for the manager.'),
      USER('Fine. Whatever.'),
    );
  }
  turns.push(AI('Thank you for your patience, and sorry again. Goodbye.'));
  return {
    turns,
    summary:
      `${caller.name} called ${persona.business} to complain that the ${dish} ${problem}. ` +
      (resolved ? 'A replacement order was sent at no charge.' : 'The caller asked for a refund; the case was escalated to the manager.'),
    actionItems: resolved
      ? [`Deliver a replacement ${dish} to ${caller.name} at no charge.`]
      : [`Manager to call ${caller.name} back about a refund for the ${dish}.`, 'Review the kitchen and delivery times.'],
    prospectStatus: resolved ? 'CONTACTED' : 'FOLLOW_UP_REQUIRED',
    callerIdentified: true,
  };
}

function appointmentBooking(context: DialogueContext, random: SeededRandom): Dialogue {
  const { persona, caller, sentiment } = context;
  const service = random.pick(persona.offerings);
  const day = random.pick(['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'next week']);
  const slot = random.pick(['9:00 AM', '10:30 AM', '1:15 PM', '3:00 PM', '4:45 PM']);
  const firstChoiceTaken = sentiment === 'mixed' || random.chance(0.3);
  const turns = [greeting(context), USER(`Hi. I need to book ${service}, please.`)];
  turns.push(AI(`Sure! When would suit you for ${service}?`), USER(`Do you have anything ${day}?`));
  if (firstChoiceTaken) {
    turns.push(
      AI(`${day} is fully booked, I'm afraid. The earliest I have is ${slot} the day after. Would that work?`),
      USER(random.pick(['Hmm, that is later than I hoped, but okay.', 'Fine, I will take it.'])),
    );
  } else {
    turns.push(AI(`Yes, I have ${slot} available ${day}. Shall I book it?`), USER('Yes, please.'));
  }
  turns.push(
    AI('May I have your full name and a phone number?'),
    USER(`${caller.name}.`),
    ...phoneTurns(caller.phoneNumber, random),
    AI(`Thank you, ${caller.name}. You are booked for ${service} at ${slot}. You will get a reminder the day before.`),
    USER(random.pick(['Perfect, thanks.', 'Great. Bye.', 'Thank you so much.'])),
    AI(`You're welcome! See you soon at ${persona.business}.`),
  );
  return {
    turns,
    summary: `${caller.name} booked ${service} at ${persona.business} for ${slot}${firstChoiceTaken ? ' after the first choice was unavailable' : ''}.`,
    actionItems: [`Send ${caller.name} a reminder the day before the ${slot} appointment.`],
    prospectStatus: 'APPOINTMENT_BOOKED',
    callerIdentified: true,
  };
}

function appointmentCancellation(context: DialogueContext, random: SeededRandom): Dialogue {
  const { persona, caller } = context;
  const service = random.pick(persona.offerings);
  const turns = [
    greeting(context),
    USER(`I need to cancel my appointment for ${service}.`),
    AI('I can help with that. May I have the name the appointment is under?'),
    USER(`${caller.name}. And I was charged a deposit I never agreed to.`),
    AI(`I see your booking, ${caller.name}. I've cancelled it. About the deposit, our policy is to refund it within five business days.`),
    USER(random.pick(['Five days? That is ridiculous.', 'I should not have been charged in the first place.'])),
    AI('I understand your frustration. I will flag it so the refund is processed as quickly as possible.'),
    USER('Okay. Bye.'),
  ];
  return {
    turns,
    summary: `${caller.name} cancelled ${service} at ${persona.business} and complained about a deposit; a refund was promised.`,
    actionItems: [`Refund ${caller.name}'s deposit.`, `Check why a deposit was charged for ${service}.`],
    prospectStatus: 'NOT_INTERESTED',
    callerIdentified: true,
  };
}

function supportRequest(context: DialogueContext, random: SeededRandom): Dialogue {
  const { persona, caller, sentiment } = context;
  const issue = random.pick(persona.offerings);
  const solved = sentiment === 'positive' || sentiment === 'neutral';
  const turns = [
    greeting(context),
    USER(`Hi, I'm calling about ${issue}.`),
    AI(`I'm sorry for the trouble. Let me look into ${issue} for you. Can I have the name on the account?`),
    USER(`Sure, ${caller.name}.`),
    AI('Thank you. And the phone number on the account, please?'),
    ...phoneTurns(caller.phoneNumber, random),
    AI(`Thanks, ${caller.name}. I found your account and I can see ${issue}.`),
  ];
  if (solved) {
    turns.push(
      AI(random.pick(['I have corrected it, and you will see the change on your next statement.', 'That is fixed now; you should get an email confirmation in a few minutes.'])),
      USER(random.pick(['Oh, that was easy. Thank you!', 'Okay, great.'])),
      AI(`Happy to help. Thank you for choosing ${persona.business}!`),
    );
  } else {
    turns.push(
      USER('This is the third time I am calling about it.'),
      AI('I apologize. This needs a specialist, so I have opened a ticket and someone will contact you within 24 hours.'),
      USER(random.pick(['I hope so. This is really frustrating.', 'Fine, but I expect a call tomorrow.'])),
      AI('I understand, and I have marked the ticket as high priority. Goodbye.'),
    );
  }
  return {
    turns,
    summary: `${caller.name} contacted ${persona.business} about ${issue}. ${solved ? 'The assistant resolved it during the conversation.' : 'The issue was escalated to a specialist.'}`,
    actionItems: solved ? [] : [`Specialist to contact ${caller.name} about ${issue} within 24 hours.`],
    prospectStatus: solved ? 'CONTACTED' : 'FOLLOW_UP_REQUIRED',
    callerIdentified: true,
  };
}

function outboundFollowUp(context: DialogueContext, random: SeededRandom): Dialogue {
  const { persona, caller, sentiment } = context;
  const topic = random.pick(persona.offerings);
  const interested = sentiment !== 'negative';
  const turns = [
    AI(`Hi, is this ${caller.name}? This is ${persona.name} from ${persona.business}, an AI assistant. I'm calling about ${topic}.`),
    USER(random.pick(['Yes, speaking.', 'Yeah, who is this again?'])),
    AI(`We wanted to follow up on ${topic}. Would you like to go ahead with it this week?`),
  ];
  if (interested) {
    turns.push(
      USER('Yes, actually. What times do you have?'),
      AI('I can offer Thursday at 10 AM or Friday at 2 PM.'),
      USER('Friday at 2 works.'),
      AI(`Great, you're all set for Friday at 2 PM, ${caller.name}. Have a good day!`),
    );
  } else {
    turns.push(USER('No, please take me off your list.'), AI('Understood. I have noted that. Sorry to bother you, goodbye.'));
  }
  return {
    turns,
    summary: `${persona.name} called ${caller.name} about ${topic}. ${interested ? 'The caller booked Friday at 2 PM.' : 'The caller was not interested and asked not to be called again.'}`,
    actionItems: interested ? [`Confirm Friday 2 PM with ${caller.name}.`] : [`Add ${caller.name} to the do-not-call list.`],
    prospectStatus: interested ? 'QUALIFIED' : 'NOT_INTERESTED',
    callerIdentified: true,
  };
}

function wrongNumber(context: DialogueContext): Dialogue {
  const { persona } = context;
  return {
    turns: [
      greeting(context),
      USER('Oh, sorry. Is this not the pharmacy?'),
      AI(`No, this is ${persona.business}. I'm afraid you have the wrong number.`),
      USER('My bad. Bye.'),
    ],
    summary: `The caller reached ${persona.business} by mistake while looking for a pharmacy.`,
    actionItems: [],
    prospectStatus: 'NEW',
    callerIdentified: false,
  };
}
