import { resolve } from 'node:path';
import type { Env } from '../config.ts';
import { createOrationSimulator, type OrationSimulator } from '../simulators/oration/orationSimulator.ts';
import { createTrataSimulator, type TrataSimulator } from '../simulators/trata/trataSimulator.ts';
import { createVoiceOsSimulator, type VoiceOsSimulator } from '../simulators/voiceos/voiceOsSimulator.ts';
import { DEMO_ACCOUNTS } from '../simulators/demoAccounts.ts';
import { gatewayWebhook, withGatewayWebhook } from '../providers/voiceos/hookRegistration.ts';
import type { WorkspaceConfig } from '../workspaces/workspaceConfig.ts';
import { OrationJournalError } from '../simulators/oration/orationJournal.ts';
import { DataDirLockedError, DataDirUnwritableError, InvalidDataDirError } from '../store/dataDirErrors.ts';
import { prepareDemoStateDir } from './demoStateDir.ts';

/** The API keys demo mode accepts; the README shows them. */
export const DEMO_API_KEYS = { demo: 'demo-key', acme: 'acme-key' } as const;

export interface DemoEnvironment {
  workspaces: WorkspaceConfig[];
  /** Base URLs of the simulators this process runs (empty for providers on their real API). */
  simulatorUrls: Partial<Record<'oration' | 'trata' | 'voiceos', string>>;
  /** Where the simulators keep state across restarts (null: an in-memory store, nothing kept). */
  simulatorStateDir: string | null;
  /** The running simulators, for tests and benchmarks that read their counters (null: real API). */
  simulators: {
    oration: OrationSimulator | null;
    trata: TrataSimulator | null;
    voiceos: VoiceOsSimulator | null;
  };
  /**
   * Points the simulators' webhooks at the gateway's own `/webhooks/<provider>/<token>` endpoints
   * (`gatewayOrigin`: how this process reaches the gateway, e.g. `http://127.0.0.1:4000`), so demo
   * conversations change live through webhooks as they would with a provider: Oration's per
   * Oration workspace, VoiceOS's as a webhook on every agent of the account (where VoiceOS
   * configures them). Only the accounts a simulator serves; returns `workspace/provider` for each
   * endpoint registered.
   */
  sendWebhooksTo(gatewayOrigin: string, webhookToken: (workspaceId: string) => Promise<string>): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * Demo mode: the three provider simulators run inside the gateway process and two workspaces,
 * `demo` and `acme`, use their accounts. A provider whose real credentials are in the
 * environment is used for real by the `demo` workspace instead of its simulator. The simulators
 * listen on free ports: nothing the gateway keeps depends on them (budgets are keyed by provider
 * account, items by conversation id), so a new port after a restart changes nothing.
 */
export async function startDemoEnvironment(env: Env): Promise<DemoEnvironment> {
  const callMs = env.SWITCHBOARD_DEMO_CALL_SECONDS * 1000;
  const stateDir = prepareDemoStateDir(env.SWITCHBOARD_DATA_DIR);
  const oration = env.ORATION_API_KEY
    ? null
    : demoOrationSimulator(env.SWITCHBOARD_DATA_DIR, {
        lifecycle: {
          dialMs: { kind: 'uniform', minMs: 500, maxMs: 1500 },
          talkMs: { kind: 'uniform', minMs: callMs * 0.5, maxMs: callMs * 1.5 },
          unansweredRate: 0.15,
          failRate: 0.02,
        },
        // Calls placed before a crash go on (and their ids stay taken) after the restart, as at
        // a real provider. Only Oration creates conversations; the others' data is all seeded.
        ...(stateDir !== null && { stateDir }),
      });
  const trata = env.TRATA_TOKEN ? null : createTrataSimulator();
  const voiceos = env.VOICEOS_TOKEN ? null : createVoiceOsSimulator();

  const simulatorUrls: DemoEnvironment['simulatorUrls'] = {};
  if (oration) simulatorUrls.oration = await oration.listen(0);
  if (trata) simulatorUrls.trata = await trata.listen(0);
  if (voiceos) simulatorUrls.voiceos = await voiceos.listen(0);

  const [demoOration, acmeOration] = DEMO_ACCOUNTS.oration;
  const [demoTrata, acmeTrata] = DEMO_ACCOUNTS.trata;
  const [demoVoiceOs, acmeVoiceOs] = DEMO_ACCOUNTS.voiceos;

  const demo: WorkspaceConfig = {
    id: 'demo',
    name: 'Demo workspace',
    apiKeys: [DEMO_API_KEYS.demo],
    providers: {
      oration: env.ORATION_API_KEY
        ? { baseUrl: env.ORATION_BASE_URL, apiKey: env.ORATION_API_KEY, workspaceId: env.ORATION_WORKSPACE_ID ?? '', concurrencyLimit: 20 }
        : { baseUrl: `${simulatorUrls.oration}/api/v2`, apiKey: demoOration.apiKey, workspaceId: demoOration.workspaceId, concurrencyLimit: 20 },
      trata: env.TRATA_TOKEN
        ? { baseUrl: env.TRATA_BASE_URL, token: env.TRATA_TOKEN }
        : { baseUrl: `${simulatorUrls.trata}`, token: demoTrata.token },
      voiceos: env.VOICEOS_TOKEN
        ? { baseUrl: env.VOICEOS_BASE_URL, token: env.VOICEOS_TOKEN }
        : { baseUrl: `${simulatorUrls.voiceos}`, token: demoVoiceOs.token },
    },
  };

  // The second workspace exists to show (and test) isolation; it only ever uses simulators.
  const acme: WorkspaceConfig = {
    id: 'acme',
    name: 'Acme (second demo workspace)',
    apiKeys: [DEMO_API_KEYS.acme],
    providers: {
      ...(simulatorUrls.oration && {
        oration: { baseUrl: `${simulatorUrls.oration}/api/v2`, apiKey: acmeOration.apiKey, workspaceId: acmeOration.workspaceId, concurrencyLimit: 20 },
      }),
      ...(simulatorUrls.trata && { trata: { baseUrl: simulatorUrls.trata, token: acmeTrata.token } }),
      ...(simulatorUrls.voiceos && { voiceos: { baseUrl: simulatorUrls.voiceos, token: acmeVoiceOs.token } }),
    },
  };

  return {
    workspaces: [demo, acme],
    simulatorUrls,
    simulatorStateDir: oration ? stateDir : null,
    simulators: { oration, trata, voiceos },
    sendWebhooksTo: async (gatewayOrigin, webhookToken) => {
      const registered: string[] = [];
      for (const workspace of [demo, acme]) {
        const token = encodeURIComponent(await webhookToken(workspace.id));
        const endpoint = (provider: 'oration' | 'voiceos') => `${gatewayOrigin}/webhooks/${provider}/${token}`;
        const { oration: orationAccount, voiceos: voiceOsAccount } = workspace.providers;
        // Oration sends its lifecycle events per Oration workspace (assumed: it documents no webhooks).
        const orationUrl = endpoint('oration');
        if (oration && orationAccount && servedBy(orationAccount.baseUrl, simulatorUrls.oration)) {
          oration.setWebhookTarget(orationAccount.workspaceId, { url: orationUrl });
          registered.push(`${workspace.id}/oration`);
        }
        const voiceOsUrl = endpoint('voiceos');
        if (voiceos && voiceOsAccount && servedBy(voiceOsAccount.baseUrl, simulatorUrls.voiceos)) {
          // VoiceOS sends the hooks of the agent that runs a conversation: the gateway's webhook
          // joins each agent's own, as the account's owner would add it.
          for (const agent of voiceos.agents(voiceOsAccount.token)) {
            voiceos.setAgentWebhooks(voiceOsAccount.token, agent.id, withGatewayWebhook(agent.webhooks, gatewayWebhook(voiceOsUrl)));
          }
          registered.push(`${workspace.id}/voiceos`);
        }
      }
      return registered;
    },
    close: async () => {
      await Promise.all([oration?.close(), trata?.close(), voiceos?.close()]);
    },
  };
}

/** Whether an account's base URL is one of this process's simulators (not a provider's real API). */
function servedBy(baseUrl: string, simulatorUrl: string | undefined): boolean {
  return simulatorUrl !== undefined && baseUrl.startsWith(simulatorUrl);
}

/**
 * The Oration simulator on the demo's state directory. That directory belongs to the data
 * directory (`demoStateDir.ts`): a second demo gateway on one SWITCHBOARD_DATA_DIR (`npm start`
 * twice) finds it taken first, and is told so as the store would tell it, naming the setting and
 * the holder, not with the simulator's own error and a stack.
 */
function demoOrationSimulator(dataDir: string, options: Parameters<typeof createOrationSimulator>[0]): OrationSimulator {
  try {
    return createOrationSimulator(options);
  } catch (error) {
    if (error instanceof OrationJournalError && error.cause instanceof DataDirLockedError) {
      throw new DataDirLockedError(resolve(dataDir), error.cause.holder, error.cause.ttlMs);
    }
    if (error instanceof OrationJournalError && error.cause instanceof DataDirUnwritableError) {
      throw new InvalidDataDirError(resolve(dataDir), `cannot hold the demo simulators' state beside it: ${error.cause.dataDir} ${error.cause.why}.`);
    }
    throw error;
  }
}
