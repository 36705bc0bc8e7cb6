// Tests never reach AWS: fixed dummy credentials and region, and no SDK Node-version notice.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
process.env.AWS_ACCESS_KEY_ID ??= "testing";
process.env.AWS_SECRET_ACCESS_KEY ??= "testing";
process.env.AWS_REGION ??= "eu-west-1";
process.env.POWERTOOLS_LOG_LEVEL ??= "SILENT";
