using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace OrleansNotifications.Runtime.Transport;

/// <summary>
/// Serialises grain call arguments and results for calls between nodes with the source-generated contexts the grain
/// projects register (<see cref="Hosting.GrainRuntimeServiceCollectionExtensions.AddGrainCallSerialization"/>).
/// </summary>
public sealed class GrainCallCodec(IEnumerable<GrainCallTypes> types)
{
    private readonly JsonSerializerOptions _options = new() { TypeInfoResolver = JsonTypeInfoResolver.Combine([.. types.Select(t => t.Resolver)]) };

    public byte[] WriteArguments(MethodInfo method, object?[] arguments)
    {
        var parameters = method.GetParameters();
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            for (var i = 0; i < parameters.Length; i++)
            {
                JsonSerializer.Serialize(writer, arguments[i], TypeInfo(parameters[i].ParameterType));
            }

            writer.WriteEndArray();
        }

        return buffer.ToArray();
    }

    public object?[] ReadArguments(MethodInfo method, byte[] body)
    {
        var parameters = method.GetParameters();
        using var document = JsonDocument.Parse(body);
        var values = document.RootElement;
        if (values.ValueKind != JsonValueKind.Array || values.GetArrayLength() != parameters.Length)
        {
            throw new JsonException($"{method.Name} takes {parameters.Length} arguments.");
        }

        return [.. parameters.Select((p, i) => values[i].Deserialize(TypeInfo(p.ParameterType)))];
    }

    public byte[] WriteResult(Type type, object? value) => JsonSerializer.SerializeToUtf8Bytes(value, TypeInfo(type));

    public T ReadResult<T>(byte[] body) => typeof(T) == typeof(object) ? default! : (T)JsonSerializer.Deserialize(body, TypeInfo(typeof(T)))!;

    private JsonTypeInfo TypeInfo(Type type) =>
        _options.TypeInfoResolver!.GetTypeInfo(type, _options)
        ?? throw new NotSupportedException($"{type.Name} cannot cross nodes: add it to the grain call serialisation context.");
}
