/** Most fixes applied (CLI) or automations started (automatic mode) in one run; above it, none. */
export const DEFAULT_REMEDIATION_CAP = 10;
