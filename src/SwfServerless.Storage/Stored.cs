namespace SwfServerless.Storage;

/// <summary>A value as read from storage, with the ETag a conditional write of it must present.</summary>
public sealed record Stored<T>(T Value, string ETag);
