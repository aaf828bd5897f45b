using System.Buffers.Text;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SwfServerless.Core.Model;

/// <summary>
/// SWF's wire form of a timestamp: seconds since the Unix epoch as a JSON number, fractions allowed
/// (<c>1700000000</c>, <c>1700000000.5</c>, <c>1.700000000123E9</c>).
/// </summary>
/// <remarks>
/// Writing emits millisecond precision (what SWF itself returns), without trailing zeros, so the
/// number stays exact when a client parses it as a double. Reading accepts any number and keeps
/// precision down to a tick (100 ns); the result is always in UTC (offset zero).
/// </remarks>
public sealed class EpochSecondsJsonConverter : JsonConverter<DateTimeOffset>
{
    private const long TicksPerSecond = TimeSpan.TicksPerSecond;
    private static readonly long MinSeconds = DateTimeOffset.MinValue.ToUnixTimeSeconds();
    private static readonly long MaxSeconds = DateTimeOffset.MaxValue.ToUnixTimeSeconds();

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.Number)
        {
            throw new JsonException($"Expected a timestamp as epoch seconds (a JSON number), found {reader.TokenType}.");
        }
        if (reader.TryGetInt64(out long whole))
        {
            return FromSeconds(whole, 0);
        }
        if (reader.TryGetDecimal(out decimal seconds))
        {
            decimal floor = decimal.Floor(seconds);
            if (floor < MinSeconds || floor > MaxSeconds)
            {
                throw new JsonException($"Timestamp {seconds} is out of range.");
            }
            long ticks = (long)decimal.Round((seconds - floor) * TicksPerSecond, MidpointRounding.ToEven);
            return FromSeconds((long)floor, ticks);
        }
        // A number that does not fit a decimal (e.g. 1e300) cannot be a date.
        throw new JsonException("Timestamp is out of range.");
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        long milliseconds = value.ToUnixTimeMilliseconds();
        if (milliseconds % 1000 == 0)
        {
            writer.WriteNumberValue(milliseconds / 1000);
            return;
        }
        // Sign and magnitude, so that -1500 ms is -1.5 (not -2 + .5).
        bool negative = milliseconds < 0;
        ulong magnitude = negative ? (ulong)-milliseconds : (ulong)milliseconds;
        ulong seconds = magnitude / 1000;
        ulong fraction = magnitude % 1000;
        Span<byte> buffer = stackalloc byte[32];
        int written = 0;
        if (negative)
        {
            buffer[written++] = (byte)'-';
        }
        Utf8Formatter.TryFormat(seconds, buffer[written..], out int digits);
        written += digits;
        buffer[written++] = (byte)'.';
        // Three digits, then drop trailing zeros: .500 -> .5, .120 -> .12.
        buffer[written++] = (byte)('0' + fraction / 100);
        buffer[written++] = (byte)('0' + fraction / 10 % 10);
        buffer[written++] = (byte)('0' + fraction % 10);
        while (buffer[written - 1] == (byte)'0')
        {
            written--;
        }
        writer.WriteRawValue(buffer[..written], skipInputValidation: true);
    }

    private static DateTimeOffset FromSeconds(long seconds, long extraTicks)
    {
        if (seconds < MinSeconds || seconds > MaxSeconds)
        {
            throw new JsonException($"Timestamp {seconds.ToString(CultureInfo.InvariantCulture)} is out of range.");
        }
        try
        {
            return DateTimeOffset.FromUnixTimeSeconds(seconds).AddTicks(extraTicks);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new JsonException("Timestamp is out of range.", e);
        }
    }
}
