using System.Text.Json;

namespace ZkTypedState.Configuration;

/// <summary>
/// Flattens a JSON document into configuration keys the way <c>JsonConfigurationProvider</c> does: object members as
/// <c>a:b</c>, array items as <c>a:0</c>, scalars as their text, an empty object or array as a null value. Unlike it, a
/// duplicate key is kept (the first wins) so the provider can report it as a conflict instead of failing the load.
/// </summary>
internal static class JsonFlattener
{
    public static IReadOnlyList<KeyValuePair<string, string?>> Flatten(string json, JsonDocumentOptions options)
    {
        using JsonDocument document = JsonDocument.Parse(json, options);
        var pairs = new List<KeyValuePair<string, string?>>();
        Visit(document.RootElement, string.Empty, pairs);
        return pairs;
    }

    private static void Visit(JsonElement element, string key, List<KeyValuePair<string, string?>> pairs)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                bool anyMember = false;
                foreach (JsonProperty property in element.EnumerateObject())
                {
                    anyMember = true;
                    Visit(property.Value, Combine(key, property.Name), pairs);
                }

                AddIfEmpty(anyMember, key, pairs);
                break;
            case JsonValueKind.Array:
                int index = 0;
                foreach (JsonElement item in element.EnumerateArray())
                {
                    Visit(item, Combine(key, index.ToString(System.Globalization.CultureInfo.InvariantCulture)), pairs);
                    index++;
                }

                AddIfEmpty(index > 0, key, pairs);
                break;
            default:
                pairs.Add(new(key, element.ToString()));
                break;
        }
    }

    private static void AddIfEmpty(bool any, string key, List<KeyValuePair<string, string?>> pairs)
    {
        if (!any && key.Length > 0)
        {
            pairs.Add(new(key, null));
        }
    }

    private static string Combine(string key, string name) => key.Length == 0 ? name : key + ":" + name;
}
