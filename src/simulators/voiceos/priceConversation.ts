import type { AgentConfig, Cost, OpenAiModel } from './wireTypes.ts';

/** What one conversation used so far; the simulator derives its cost breakdown from it. */
export interface ConversationUsage {
  seconds: number;
  inputTokens: number;
  outputTokens: number;
  characters: number;
  /** Null over web. `imported`: the customer brought the number, so VoiceOS bills no telephony. */
  telephony: { direction: 'inbound' | 'outbound'; imported: boolean } | null;
}

/** Plausible list prices in USD; only their consistency matters to the simulator. */
const AGENT_PER_MINUTE = 0.05;
const TRANSCRIBER_PER_MINUTE = 0.0043;
const VOICE_PER_CHARACTER = 0.00003;
const TELEPHONY_PER_MINUTE = { inbound: 0.0085, outbound: 0.014 } as const;

/** USD per million tokens, input then output. */
function llmPrices(model: OpenAiModel): { input: number; output: number } {
  if (model === 'gpt-4o') return { input: 2.5, output: 10 };
  if (model === 'gpt-4' || model === 'gpt-4-0613') return { input: 30, output: 60 };
  if (model.startsWith('gpt-4')) return { input: 10, output: 30 };
  if (model === 'gpt-3.5-turbo-16k') return { input: 3, output: 4 };
  return { input: 0.5, output: 1.5 };
}

/**
 * Prices a conversation the way the document describes: one component per part of the stack,
 * a provider's cost left out (zero) when the agent brought its own credential for it ("If null, we
 * include the provider cost"), telephony null over web and zero on an imported number. Each
 * component is rounded to a millionth of a dollar and the total is the sum of the rounded parts.
 */
export function priceConversation(usage: ConversationUsage, agent: AgentConfig): Cost {
  const minutes = usage.seconds / 60;
  const prices = llmPrices(agent.llm.model);
  const agentCost = usd(minutes * AGENT_PER_MINUTE);
  const llmCost =
    agent.llm.credential_id === null
      ? usd((usage.inputTokens * prices.input + usage.outputTokens * prices.output) / 1_000_000)
      : 0;
  const transcriberCost = agent.transcriber.credential_id === null ? usd(minutes * TRANSCRIBER_PER_MINUTE) : 0;
  const voiceCost = agent.voice.credential_id === null ? usd(usage.characters * VOICE_PER_CHARACTER) : 0;
  // Carriers bill started minutes.
  const telephonyCost =
    usage.telephony === null || usage.telephony.imported
      ? 0
      : usd(Math.ceil(usage.seconds / 60) * TELEPHONY_PER_MINUTE[usage.telephony.direction]);

  return {
    agent: { cost: agentCost, provider: 'voiceos', seconds: usage.seconds },
    llm: { cost: llmCost, input_tokens: usage.inputTokens, output_tokens: usage.outputTokens, provider: 'openai' },
    total: usd(agentCost + llmCost + transcriberCost + voiceCost + telephonyCost),
    transcriber: { cost: transcriberCost, provider: 'deepgram', seconds: usage.seconds },
    voice: { characters: usage.characters, cost: voiceCost, provider: 'playht' },
    telephony: usage.telephony === null ? null : { cost: telephonyCost, provider: 'twilio', seconds: usage.seconds },
  };
}

function usd(amount: number): number {
  return Math.round(amount * 1_000_000) / 1_000_000;
}
