import {
  CreateTagsCommand,
  DeleteRouteCommand,
  DeleteSecurityGroupCommand,
  DisassociateAddressCommand,
  type EC2Client,
  ModifyInstanceMetadataOptionsCommand,
  ModifyVpcEndpointCommand,
  ReleaseAddressCommand,
} from "@aws-sdk/client-ec2";
import type { Ec2WriteOperation, PlannedCall } from "./types";

// biome-ignore lint/suspicious/noExplicitAny: each command takes its own input shape, checked by the plan's tests
const COMMANDS: Record<Ec2WriteOperation, new (input: any) => any> = {
  ReleaseAddress: ReleaseAddressCommand,
  DisassociateAddress: DisassociateAddressCommand,
  DeleteSecurityGroup: DeleteSecurityGroupCommand,
  ModifyVpcEndpoint: ModifyVpcEndpointCommand,
  DeleteRoute: DeleteRouteCommand,
  ModifyInstanceMetadataOptions: ModifyInstanceMetadataOptionsCommand,
  CreateTags: CreateTagsCommand,
};

export function sendCall(ec2: EC2Client, call: PlannedCall, dryRun: boolean): Promise<unknown> {
  const Command = COMMANDS[call.operation];
  return ec2.send(new Command({ ...call.parameters, DryRun: dryRun }));
}

/** The AWS error code of a failed call (the SDK puts it in `name`). */
export const errorCode = (error: unknown): string =>
  (error as { Code?: string; name?: string })?.Code ?? (error as { name?: string })?.name ?? "Error";

export const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** The resource the call names no longer exists: for a fix, that is the goal reached. */
export const isGone = (code: string): boolean => /\.NotFound$/.test(code);

/** `ignored`: the endpoint ran the call for real instead of dry-running it (AWS never does). */
export type DryRunResult = { ok: true; ignored?: boolean } | { ok: false; code: string; message: string };

/**
 * Proves permission without changing anything: EC2 answers DryRunOperation when the call would
 * succeed, UnauthorizedOperation when permission is missing, and the SDK throws on both.
 */
export async function dryRun(ec2: EC2Client, call: PlannedCall): Promise<DryRunResult> {
  try {
    await sendCall(ec2, call, true);
    // An endpoint that ignores DryRun has just made the change: say so rather than send it twice.
    return { ok: true, ignored: true };
  } catch (error) {
    const code = errorCode(error);
    if (code === "DryRunOperation") return { ok: true };
    return { ok: false, code, message: errorMessage(error) };
  }
}
