namespace ActorFarm.Telemetry;

/// <summary>
/// The names under which the farm reports what it does, for <c>System.Diagnostics.Metrics</c> listeners and
/// OpenTelemetry: <c>.AddMeter(FarmMeter.Name)</c> on a <c>MeterProviderBuilder</c>, <c>.AddSource(FarmMeter.Name)</c>
/// on a <c>TracerProviderBuilder</c>. <c>farm node --metrics-port N</c> serves them to Prometheus.
/// </summary>
public static class FarmMeter
{
    /// <summary>The one meter (and activity source) of the farm: "ActorFarm".</summary>
    public const string Name = "ActorFarm";
}
