namespace SwfServerless.AzureStorage;

/// <summary>A received message: invisible to others until <see cref="NextVisibleOn"/>; delete it with <see cref="PopReceipt"/>.</summary>
public sealed record QueueMessage(
    string MessageId,
    string PopReceipt,
    string MessageText,
    long DequeueCount,
    DateTimeOffset? InsertedOn,
    DateTimeOffset? ExpiresOn,
    DateTimeOffset? NextVisibleOn);

/// <summary>A message seen without receiving it: no pop receipt, visibility unchanged.</summary>
public sealed record PeekedMessage(
    string MessageId,
    string MessageText,
    long DequeueCount,
    DateTimeOffset? InsertedOn,
    DateTimeOffset? ExpiresOn);

public sealed record SendReceipt(
    string MessageId,
    string PopReceipt,
    DateTimeOffset? InsertedOn,
    DateTimeOffset? ExpiresOn,
    DateTimeOffset? NextVisibleOn);

/// <summary>After an update the old pop receipt is void; use this one.</summary>
public sealed record UpdateReceipt(string PopReceipt, DateTimeOffset? NextVisibleOn);
