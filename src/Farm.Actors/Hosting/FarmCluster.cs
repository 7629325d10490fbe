namespace ActorFarm.Hosting;

/// <summary>Names that every node and client of a farm cluster agree on.</summary>
public static class FarmCluster
{
    /// <summary>The actor system name of every node (addresses look like <c>akka.tcp://farm@host:4053</c>).</summary>
    public const string SystemName = "farm";

    /// <summary>Nodes with this role may host the master singleton.</summary>
    public const string MasterRole = "master";

    /// <summary>Nodes with this role host worker actors.</summary>
    public const string WorkerRole = "worker";

    /// <summary>The singleton manager's name (<c>/user/farm-master</c>); the singleton is its child of the same name.</summary>
    public const string MasterSingletonName = "farm-master";

    /// <summary>The singleton proxy's name, on every node: <c>/user/farm-master-proxy</c>.</summary>
    public const string MasterProxyName = MasterSingletonName + "-proxy";

    /// <summary>
    /// The path cluster clients send to: every node registers its singleton proxy with the
    /// <c>ClusterClientReceptionist</c> under this path.
    /// </summary>
    public const string MasterProxyPath = "/user/" + MasterProxyName;

    /// <summary>Worker actors are <c>/user/farm-worker-0</c>, <c>/user/farm-worker-1</c>… on their node.</summary>
    public const string WorkerNamePrefix = "farm-worker-";

    /// <summary>The receptionist's path on a node (<c>/system/receptionist</c>), appended to contact addresses.</summary>
    public const string ReceptionistPath = "/system/receptionist";
}
