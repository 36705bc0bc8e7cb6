import type { Severity } from "../lib/engine/rule";

export interface RuleIdentity {
  id: string;
  description: string;
  severity: Severity;
}

// Each rule's id, description and severity. The rule modules take theirs from here, and the
// scheduled report imports only this module, so that its Lambda bundle carries no rule code or
// parameter schemas.

export const EIP_ATTACHED: RuleIdentity = {
  id: "eip-attached",
  description:
    "Elastic IP addresses must be associated with something (an instance, a network interface, a NAT gateway or a load balancer); an unassociated address is billed and unused.",
  severity: "low",
};

export const EC2_NO_PUBLIC_IP: RuleIdentity = {
  id: "ec2-no-public-ip",
  description:
    "EC2 instances must not have a public IPv4 address (auto-assigned or an Elastic IP) on any network interface, primary or secondary. IPv6 addresses are not considered.",
  severity: "high",
};

export const SG_ATTACHED_TO_ENI: RuleIdentity = {
  id: "sg-attached-to-eni",
  description:
    "Security groups should be used by at least one network interface; an unused group is clutter that someone may attach by mistake. Default groups and groups shared from other accounts are not judged.",
  severity: "medium",
};

export const ENDPOINT_ROUTE_PRESENT: RuleIdentity = {
  id: "endpoint-route-present",
  description:
    "Route tables of private subnets route S3/DynamoDB traffic through their VPC's gateway endpoint (active prefix-list route), and interface endpoints have private DNS enabled.",
  severity: "medium",
};

export const IMDSV2_REQUIRED: RuleIdentity = {
  id: "imdsv2-required",
  description:
    "EC2 instances must require IMDSv2 session tokens (HttpTokens required), optionally with a maximum PUT response hop limit.",
  severity: "high",
};

export const PLACEMENT_GROUP_LIMITS: RuleIdentity = {
  id: "placement-group-limits",
  description:
    "Placement groups stay within EC2's documented limits: rack spread at most 7 running instances per AZ, partition at most 7 partitions, cluster in one AZ with one ENA-capable instance type.",
  severity: "medium",
};

/** Every rule, in the order of RULES (test/rules/catalog.test.ts holds them to it). */
export const RULE_CATALOG: readonly RuleIdentity[] = [EIP_ATTACHED, EC2_NO_PUBLIC_IP, SG_ATTACHED_TO_ENI, ENDPOINT_ROUTE_PRESENT, IMDSV2_REQUIRED, PLACEMENT_GROUP_LIMITS];
