namespace SwfServerless.Storage.AzureSdk;

/// <summary>
/// A write larger than Azure storage accepts (an entity over 1 MiB, a property over 64 KiB, a transaction over 4 MiB, a
/// queue message over 64 KiB), refused before sending (<see cref="TableLimits"/>, <see cref="QueueLimits"/>). Retrying
/// repeats it: <see cref="StorageFailure.IsSizeLimit"/>. Other argument errors of these checks (bad keys, a transaction
/// across partitions) are bugs and stay plain <see cref="ArgumentException"/>s.
/// </summary>
public sealed class StorageSizeLimitException(string message, string? paramName) : ArgumentException(message, paramName);
