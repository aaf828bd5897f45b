using SwfServerless.Core.Faults;
using SwfServerless.Core.Model;

namespace SwfServerless.Core.Domains;

/// <summary>Tag rules of TagResource / RegisterDomain: at most 50 per resource, keys and values of restricted characters.</summary>
public static class ResourceTags
{
    /// <summary>Applies <paramref name="added"/> over <paramref name="existing"/> (same key: new value wins) and checks the result.</summary>
    public static Dictionary<string, string> Merge(IReadOnlyDictionary<string, string> existing, IEnumerable<ResourceTag> added)
    {
        var result = new Dictionary<string, string>(existing, StringComparer.Ordinal);
        foreach (var tag in added)
        {
            var key = tag.Key ?? throw SwfFault.Validation("Value null at 'tags.member.key' failed to satisfy constraint: Member must not be null");
            CheckCharacters(key, "tags.member.key");
            CheckCharacters(tag.Value ?? "", "tags.member.value");
            result[key] = tag.Value ?? "";
        }
        if (result.Count > Domain.MaxTags)
            throw SwfFault.TooManyTags($"A resource can have at most {Domain.MaxTags} tags; this request would give it {result.Count}.");
        return result;
    }

    public static List<ResourceTag> ToList(IReadOnlyDictionary<string, string> tags) =>
        tags.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => new ResourceTag { Key = t.Key, Value = t.Value }).ToList();

    // "Tags may only contain unicode letters, digits, whitespace, or these symbols: _ . : / = + - @" (service-2.json).
    private static void CheckCharacters(string text, string field)
    {
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c) || char.IsWhiteSpace(c) || "_.:/=+-@".Contains(c)) continue;
            throw SwfFault.Validation($"Invalid character '{c}' at '{field}': tags may only contain unicode letters, digits, whitespace, or _ . : / = + - @");
        }
    }
}
