# The CNN of PyTorch's "Deep Learning with PyTorch: A 60 Minute Blitz", section "Neural
# Networks" (pytorch/tutorials, beginner_source/blitz/neural_networks_tutorial.py): the same
# layers and forward as the tutorial's `Net` (written here in its current torch.flatten form;
# the older text's `x.view(-1, self.num_flat_features(x))` is in blitz_cnn_old.py). The
# tutorial feeds it a 1x32x32 image. torch 2.13.0: sum(p.numel() for p in Net().parameters())
# is 61,706 (counts.json).
import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):

    def __init__(self):
        super(Net, self).__init__()
        # one input channel, six 5x5 filters
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        # y = Wx + b on the 16 5x5 maps
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))  # (N, 6, 14, 14)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)       # (N, 16, 5, 5)
        x = torch.flatten(x, 1)                          # (N, 400)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = self.fc3(x)
        return x


net = Net()
print(net)
params = list(net.parameters())
input = torch.randn(1, 1, 32, 32)
out = net(input)
