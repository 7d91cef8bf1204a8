package dev.tether.api;

/** Whether Tether runs the workspace's runtime (from spec.template) or someone else does. */
public enum ProvisioningMode { Provisioned, External }
