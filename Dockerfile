# The farm node (and client) as an image: a self-contained linux-x64 publish of src/Farm.Node on the
# .NET runtime-deps base (the native libraries .NET needs, no .NET runtime: the publish carries its own).
#
# No image registry is reachable where this project is built, so the publish is done on the host and the
# base image is built locally; scripts/docker-build.sh does all three steps:
#   scripts/build-base-image.sh      # mcr.microsoft.com/dotnet/runtime-deps:10.0 via debootstrap, if missing
#   dotnet publish src/Farm.Node -c Release -r linux-x64 --self-contained -o artifacts/docker/farm
#   docker build -t actorfarm:latest .
FROM mcr.microsoft.com/dotnet/runtime-deps:10.0

COPY artifacts/docker/farm/ /app/
# Where a master node keeps its journal (SQLite by default; docker-compose.yml mounts a volume here).
# And where docker-compose's certs service keeps the cluster's authority and certificates (named volumes start as
# copies of these folders, owner included).
RUN mkdir -p /data /ca /certs && chown 1654 /data /ca /certs && chmod 700 /ca

# Not root; 1654 is the runtime images' own 'app' user id (APP_UID).
USER 1654
WORKDIR /app
# The master's well-known port (workers use it too inside their own containers).
EXPOSE 4053
ENTRYPOINT ["/app/farm"]
CMD ["--help"]
