import type { ControlMapping, FrameworkId } from "./rule";

/** Every framework a control mapping can name, in display order: the values `--framework` accepts. */
export const FRAMEWORK_IDS: readonly FrameworkId[] = ["aws-fsbp", "cis-aws", "nist-800-53", "pci-dss"];

export const FRAMEWORK_NAMES: Readonly<Record<FrameworkId, string>> = {
  "aws-fsbp": "AWS Foundational Security Best Practices",
  "cis-aws": "CIS AWS Foundations Benchmark",
  "nist-800-53": "NIST SP 800-53",
  "pci-dss": "PCI DSS",
};

export const isFrameworkId = (value: string): value is FrameworkId => (FRAMEWORK_IDS as readonly string[]).includes(value);

/**
 * A mapping as Security Hub writes it in a finding's `Compliance.RelatedRequirements` and in its
 * controls' "Related requirements": "NIST.800-53.r5 AC-3", "PCI DSS v4.0.1/2.2.6",
 * "CIS AWS Foundations Benchmark v3.0.0/5.6". FSBP controls, which Security Hub lists by control
 * id rather than as a requirement, take the same "<standard> v<version>/<control>" form.
 */
export function relatedRequirement(mapping: ControlMapping): string {
  if (mapping.framework === "nist-800-53") return `NIST.800-53.${mapping.version.replace(/^rev/, "r")} ${mapping.control}`;
  return `${FRAMEWORK_NAMES[mapping.framework]} v${mapping.version}/${mapping.control}`;
}

/**
 * Security Hub's page of EC2 controls: each control's "Related requirements" is AWS's own mapping
 * of the control (and so of the managed rule it runs) to CIS, NIST SP 800-53 rev. 5 and PCI DSS.
 */
export const SECURITY_HUB_EC2_CONTROLS = "https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html";

/** NIST SP 800-53 rev. 5 control titles, as the NIST catalogue names them. */
const NIST_TITLES: Readonly<Record<string, string>> = {
  "AC-3": "Access Enforcement",
  "AC-3(7)": "Access Enforcement | Role-based Access Control",
  "AC-3(15)": "Access Enforcement | Discretionary and Mandatory Access Control",
  "AC-4": "Information Flow Enforcement",
  "AC-4(21)": "Information Flow Enforcement | Physical or Logical Separation of Information Flows",
  "AC-6": "Least Privilege",
  "AC-21": "Information Sharing",
  "CM-8(1)": "System Component Inventory | Updates During Installation and Removal",
  "SC-7": "Boundary Protection",
  "SC-7(3)": "Boundary Protection | Access Points",
  "SC-7(4)": "Boundary Protection | External Telecommunications Services",
  "SC-7(9)": "Boundary Protection | Restrict Threatening Outgoing Communications Traffic",
  "SC-7(11)": "Boundary Protection | Restrict Incoming Communications Traffic",
  "SC-7(16)": "Boundary Protection | Prevent Discovery of System Components",
  "SC-7(20)": "Boundary Protection | Dynamic Isolation and Segregation",
  "SC-7(21)": "Boundary Protection | Isolation of System Components",
};

/** NIST SP 800-53 rev. 5 controls that a Security Hub control relates to, cited to that control's section. */
export function nistControls(controls: readonly string[], securityHubControl: string): ControlMapping[] {
  return controls.map((control) => {
    const title = NIST_TITLES[control];
    if (!title) throw new Error(`no NIST SP 800-53 title for ${control} in lib/engine/controls.ts`);
    return {
      framework: "nist-800-53",
      version: "rev5",
      control,
      title,
      source: `${SECURITY_HUB_EC2_CONTROLS}#${securityHubControl.toLowerCase().replace(".", "-")}`,
    };
  });
}

/** A Security Hub FSBP control, cited to its section of the EC2 controls page. */
export const fsbpControl = (control: string, title: string): ControlMapping => ({
  framework: "aws-fsbp",
  version: "1.0.0",
  control,
  title,
  source: `${SECURITY_HUB_EC2_CONTROLS}#${control.toLowerCase().replace(".", "-")}`,
});
