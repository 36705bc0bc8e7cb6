import type { MessageAttributeValue, PublishCommandInput } from "@aws-sdk/client-sns";

/** SNS's limit on a published message (the whole JSON envelope with every protocol's body), in UTF-8 bytes. */
export const SNS_MAX_MESSAGE_BYTES = 262_144;
/** Room kept for the part counter, message attributes and estimation slack. */
const RESERVED_BYTES = 4_096;
export const SNS_MAX_SUBJECT_LENGTH = 99;

/** Machine protocols get the JSON body; email, SMS and anything else get `default`, the text. */
export const MACHINE_PROTOCOLS = ["sqs", "lambda", "http", "https"] as const;

export interface BulletinSection<Item> {
  /** Key of the section's list in the JSON body, e.g. `newlyNonCompliant`. */
  key: string;
  title: string;
  items: readonly Item[];
  line(item: Item): string;
  record(item: Item): unknown;
}

/** One announcement (a digest, a remediation report), before it is cut to SNS's limits. */
export interface Bulletin {
  subject: string;
  /** Text lines heading every part. */
  intro: readonly string[];
  /** Lines closing every part (notes such as "remediation cap reached"). */
  notes?: readonly string[];
  // biome-ignore lint/suspicious/noExplicitAny: sections hold different item types
  sections: readonly BulletinSection<any>[];
  /** Fields repeated in every part's JSON body. */
  json: Record<string, unknown>;
  attributes: Record<string, string | readonly string[]>;
}

type PublishBody = Omit<PublishCommandInput, "TopicArn">;

interface Slot {
  section: number;
  item: number;
}

/**
 * Cuts a bulletin into as few SNS messages as fit (each ≤ `maxBytes` as sent, subject < 100
 * characters on one line), every part readable on its own: same intro, its share of each
 * section, "part i of n". Items are packed greedily by their measured size, and each part is
 * measured again once rendered and halved if the estimate was short.
 */
export function splitBulletin(bulletin: Bulletin, maxBytes = SNS_MAX_MESSAGE_BYTES): PublishBody[] {
  return splitBulletinParts(bulletin, maxBytes).map((part) => part.body);
}

/** {@link splitBulletin}, each message with the section items it carries (to tell which were announced when a part fails). */
export function splitBulletinParts(bulletin: Bulletin, maxBytes = SNS_MAX_MESSAGE_BYTES): { body: PublishBody; items: unknown[] }[] {
  const budget = maxBytes - Math.min(RESERVED_BYTES, Math.floor(maxBytes / 8));
  const base = byteLength(render(bulletin, [], 1, 1).Message ?? "");
  const slots: Slot[] = bulletin.sections.flatMap((section, index) => section.items.map((_, item) => ({ section: index, item })));
  const groups: Slot[][] = [];
  let current: Slot[] = [];
  let size = base;
  for (const slot of slots) {
    const cost = slotCost(bulletin, slot);
    if (current.length > 0 && size + cost > budget) {
      groups.push(current);
      current = [];
      size = base;
    }
    current.push(slot);
    size += cost;
  }
  if (current.length > 0 || groups.length === 0) groups.push(current);

  const fitted = groups.flatMap((group) => fitOrHalve(bulletin, group, maxBytes));
  return fitted.map((group, index) => ({
    body: render(bulletin, group, index + 1, fitted.length),
    items: group.map(({ section, item }) => bulletin.sections[section]?.items[item]),
  }));
}

/** Halves a group until each half, rendered with a worst-case part counter, fits. */
function fitOrHalve(bulletin: Bulletin, group: Slot[], maxBytes: number): Slot[][] {
  const probe = render(bulletin, group, 99_999, 99_999);
  if (byteLength(probe.Message ?? "") + attributeBytes(probe) <= maxBytes) return [group];
  if (group.length <= 1) throw new Error(`a single alert item does not fit in an SNS message of ${maxBytes} bytes`);
  const half = Math.ceil(group.length / 2);
  return [...fitOrHalve(bulletin, group.slice(0, half), maxBytes), ...fitOrHalve(bulletin, group.slice(half), maxBytes)];
}

function slotCost(bulletin: Bulletin, { section, item }: Slot): number {
  const source = bulletin.sections[section];
  if (!source) return 0;
  const value = source.items[item];
  // Text sits once in the envelope (escaped once); the JSON body once per machine protocol, escaped twice.
  const text = byteLength(JSON.stringify(`  ${source.line(value)}\n`)) - 2;
  const json = byteLength(JSON.stringify(`${JSON.stringify(source.record(value))},`)) - 2;
  return text + json * MACHINE_PROTOCOLS.length;
}

function render(bulletin: Bulletin, group: readonly Slot[], part: number, parts: number): PublishBody {
  const chosen = bulletin.sections.map(() => [] as number[]);
  for (const slot of group) chosen[slot.section]?.push(slot.item);

  const lines = [...bulletin.intro];
  if (parts > 1) lines.push(`Part ${part} of ${parts}.`);
  const body: Record<string, unknown> = { ...bulletin.json, part, parts };
  bulletin.sections.forEach((section, index) => {
    const items = (chosen[index] ?? []).map((item) => section.items[item]);
    body[section.key] = items.map((item) => section.record(item));
    if (items.length === 0) return;
    const shown = items.length === section.items.length ? `${items.length}` : `${items.length} of ${section.items.length}`;
    lines.push("", `${section.title} (${shown}):`, ...items.map((item) => `  ${section.line(item)}`));
  });
  if (bulletin.notes?.length) lines.push("", ...bulletin.notes);

  const text = lines.join("\n");
  const machine = JSON.stringify(body);
  const envelope: Record<string, string> = { default: text };
  for (const protocol of MACHINE_PROTOCOLS) envelope[protocol] = machine;
  return {
    Subject: subjectLine(bulletin.subject, part, parts),
    Message: JSON.stringify(envelope),
    MessageStructure: "json",
    MessageAttributes: messageAttributes(bulletin.attributes),
  };
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what SNS refuses
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]+/g;

/** A subject SNS accepts: printable, one line, under 100 characters, with the part counter kept. */
function subjectLine(subject: string, part = 1, parts = 1): string {
  const suffix = parts > 1 ? ` (${part}/${parts})` : "";
  const clean = subject.replace(CONTROL_CHARACTERS, " ").replace(/\s+/g, " ").trim();
  const room = SNS_MAX_SUBJECT_LENGTH - suffix.length;
  const cut = clean.length > room ? `${clean.slice(0, room - 3)}...` : clean;
  return `${cut}${suffix}`;
}

function messageAttributes(attributes: Bulletin["attributes"]): Record<string, MessageAttributeValue> {
  const result: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(attributes)) {
    result[name] =
      typeof value === "string"
        ? { DataType: "String", StringValue: value }
        : { DataType: "String.Array", StringValue: JSON.stringify(value) };
  }
  return result;
}

function attributeBytes(body: PublishBody): number {
  let total = 0;
  for (const [name, value] of Object.entries(body.MessageAttributes ?? {})) {
    total += byteLength(name) + byteLength(value.DataType ?? "") + byteLength(value.StringValue ?? "");
  }
  return total;
}

const byteLength = (text: string): number => Buffer.byteLength(text, "utf8");
