/**
 * One voter's way through the booth (docs/ELECTIONS.md): booth pass → blind credential → ballot → confirm →
 * cast → receipt, then "Next voter", which drops everything. The ballot key and the credential live only in
 * this store's closure (never reactive, never stored, never sent except inside the signed ballot); the
 * blinding factor never leaves the BallotSession. The receipt's status follows the chain by events.
 */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { ElectionSummary, TransactionStatus } from '../../preload/contract';
import { RendererError, toShownError, type ShownError } from '../app/errors';
import { useClient } from '../app/injection';
import { BallotSession, shortTrackingCode, type SignedBallot } from '../windows/booth/ballotClient';
import { normaliseBoothPass, toggleChoice } from '../windows/booth/boothInput';
import { useElectionsStore } from './elections';
import { useNodeStore } from './node';

export type BoothScreen = 'start' | 'pass' | 'ballot' | 'confirm' | 'receipt' | 'check-ballot' | 'check-card';

export interface BoothReceipt {
  readonly hash: string;
  readonly shortCode: string;
  readonly electionId: string;
  readonly status: TransactionStatus | null;
}

export const useBoothStore = defineStore('booth', () => {
  const client = useClient();
  const node = useNodeStore();
  const elections = useElectionsStore();

  const screen = ref<BoothScreen>('start');
  const electionId = ref<string | null>(null);
  const chosen = ref<readonly string[]>([]);
  /** The voter pressed one choice too many on a choose-k ballot. */
  const full = ref(false);
  const busy = ref(false);
  const error = shallowRef<ShownError | null>(null);
  const receipt = shallowRef<BoothReceipt | null>(null);

  // The voter's secrets: plain variables, not reactive state, dropped by reset().
  let session: BallotSession | null = null;
  let credential: string | null = null;
  let signed: SignedBallot | null = null;
  let started = false;

  const election = computed((): ElectionSummary | null => {
    const open = elections.open;
    return elections.byId(electionId.value) ?? (open.length === 1 ? (open[0] ?? null) : null);
  });

  function start(): void {
    if (started) return;
    started = true;
    elections.start();
    const follow = (): void => void refreshReceipt();
    client.on('block.proposed', follow);
    client.on('block.final', follow);
    client.on('mempool.changed', follow);
    client.onConnectionChange((state) => {
      if (state === 'open') follow();
    });
  }

  function go(next: BoothScreen): void {
    error.value = null;
    screen.value = next;
  }

  /** Drops the voter's ballot key, credential, choices and receipt: the booth is ready for the next voter. */
  function reset(): void {
    session = null;
    credential = null;
    signed = null;
    chosen.value = [];
    full.value = false;
    receipt.value = null;
    electionId.value = null;
    busy.value = false;
    go('start');
  }

  function chainId(): string {
    const id = node.identity?.chainId ?? node.status?.chainId;
    if (!id) throw new RendererError('NOT_CONNECTED', 'The booth is not connected to its node yet. Wait a moment and try again.');
    return id;
  }

  /** Exchanges the booth pass and a freshly blinded ballot key for the blind credential. */
  async function redeemPass(typed: string): Promise<boolean> {
    const target = election.value;
    if (!target) {
      error.value = { code: 'NO_ELECTION', message: 'Choose the election you are voting in.' };
      return false;
    }
    busy.value = true;
    error.value = null;
    try {
      const fresh = await BallotSession.start(chainId(), target);
      const { blindSignature } = await client.call('election.credential', {
        election: target.id,
        pass: normaliseBoothPass(typed),
        blindedMessage: fresh.blindedMessage,
      });
      credential = fresh.credentialFrom(blindSignature);
      session = fresh;
      electionId.value = target.id;
      chosen.value = [];
      go('ballot');
      return true;
    } catch (caught) {
      error.value = toShownError(caught);
      return false;
    } finally {
      busy.value = false;
    }
  }

  function toggle(candidate: string): void {
    const target = election.value;
    if (!target) return;
    const change = toggleChoice(chosen.value, candidate, target.choose);
    chosen.value = change.chosen;
    full.value = change.full;
  }

  /** Signs the ballot with the ballot key and submits it; the transaction hash is the tracking code. */
  async function cast(): Promise<void> {
    const target = election.value;
    if (!target || !session || !credential) {
      error.value = { code: 'NO_CREDENTIAL', message: 'This booth holds no credential. Ask an election official for help.' };
      return;
    }
    busy.value = true;
    error.value = null;
    try {
      // Keep the signed ballot until it is accepted, so that a retry sends the very same ballot.
      signed ??= await session.sign(chosen.value, credential);
      const { hash } = await client.call('tx.submit', { transaction: signed.transaction });
      receipt.value = { hash, shortCode: shortTrackingCode(hash), electionId: target.id, status: { state: 'pending' } };
      // The ballot is cast: the ballot key and credential have done their work.
      session = null;
      credential = null;
      signed = null;
      go('receipt');
      void refreshReceipt();
    } catch (caught) {
      error.value = toShownError(caught);
    } finally {
      busy.value = false;
    }
  }

  async function refreshReceipt(): Promise<void> {
    const current = receipt.value;
    if (!current || current.status?.state === 'final') return;
    try {
      const { status } = await client.call('tx.get', { hash: current.hash });
      if (receipt.value?.hash === current.hash) receipt.value = { ...current, status };
    } catch {
      // The next block event asks again; the receipt keeps its last known status meanwhile.
    }
  }

  return {
    screen,
    electionId,
    election,
    chosen,
    full,
    busy,
    error,
    receipt,
    start,
    go,
    reset,
    redeemPass,
    toggle,
    cast,
    refreshReceipt,
  };
});
