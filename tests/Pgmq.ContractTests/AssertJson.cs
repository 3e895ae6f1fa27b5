using System.Text.Json.Nodes;

namespace GpuDev.Pgmq.ContractTests;

/// <summary>JSON compared by value: jsonb does not keep the sender's spacing or key order.</summary>
public static class AssertJson
{
    public static void Equal(string expected, JsonNode? actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), $"expected {expected}, got {actual?.ToJsonString() ?? "null"}");
}
